// The software inventory (G2.6.1-b, G2.7.4, A1.3.4), for asset managers (security staff and
// auditors read): Minato's own bill of materials — its version and the SHA-256 of the running
// program, every Debian package it links and runs with, the console's npm packages — with a
// CycloneDX download; which assets have a software list, from what and since when; an asset's
// list brought in through the media intake (dpkg-query output or a CycloneDX file); and one
// asset's list (/software/TAG), searchable.
import { html, nothing } from 'lit';
import { api, FileBody, seg } from '../lib/api';
import { formatTime, t } from '../lib/i18n';
import { LivePage } from '../lib/page';
import { can } from '../lib/session';
import { errorBox } from '../components/error-box';

interface Component {
  type: string;
  name: string;
  version?: string;
  purl?: string;
  supplier?: { name: string };
  hashes?: { alg: string; content: string }[];
  properties?: { name: string; value: string }[];
}
interface Bom {
  metadata: { timestamp: string; component: Component };
  components: Component[];
}
interface ListSummary {
  tag: string;
  source: string;
  file: string;
  intake_id: number;
  count: number;
  imported_at: string;
  imported_by: string;
}
interface Entry {
  name: string;
  version: string;
  arch: string;
  purl: string;
  supplier: string;
  note: string;
}
interface AssetList extends ListSummary {
  components: Entry[];
}

// The list's media type by the file's content (JSON opens with '{'), as the API wants it.
async function listBody(file: File): Promise<FileBody> {
  const bytes = await file.arrayBuffer();
  const first = new TextDecoder().decode(bytes.slice(0, 64)).trimStart();
  return new FileBody(bytes, first.startsWith('{') ? 'application/json' : 'text/plain');
}

export class SoftwarePage extends LivePage {
  protected readonly topics = ['alerts'];
  private bom: Bom | null = null;
  private lists: ListSummary[] = [];
  private tags: string[] = [];
  private current: AssetList | null = null;
  private filter = '';

  private get wantedTag(): string {
    const m = /^\/software\/([^/]+)$/.exec(location.pathname);
    return m ? decodeURIComponent(m[1]) : '';
  }

  protected async load(): Promise<void> {
    const tag = this.wantedTag;
    if (tag) {
      await this.loadPart('list', () => api.get<AssetList>(`/api/v1/assets/${seg(tag)}/software`), (v) => (this.current = v));
    } else {
      await Promise.all([
        this.loadPart('sbom', () => api.get<Bom>('/api/v1/sbom'), (v) => (this.bom = v)),
        this.loadPart('lists', () => api.get<{ lists: ListSummary[] }>('/api/v1/software'), (v) => (this.lists = v.lists)),
        can('asset.manage')
          ? this.loadPart('assets', () => api.get<{ assets: { tag: string }[] }>('/api/v1/assets'), (v) => (this.tags = v.assets.map((a) => a.tag)))
          : Promise.resolve(),
      ]);
    }
    this.requestUpdate();
  }

  private async download(): Promise<void> {
    let name = '';
    await this.act('sbom', async () => {
      name = (await api.getForFile('/api/v1/sbom')).filename;
    }, '');
    if (name) {
      this.message = t('software.downloaded', { file: name });
      this.requestUpdate();
    }
  }

  private async importList(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const tag = (form.elements.namedItem('tag') as HTMLSelectElement).value;
    const file = (form.querySelector('input[type=file]') as HTMLInputElement).files?.[0];
    if (!file || !tag) return;
    let done = '';
    await this.act('import', async () => {
      const r = await api.post<ListSummary>(`/api/v1/assets/${seg(tag)}/software`, await listBody(file),
        { headers: { 'X-File-Name': file.name } });
      done = t('software.imported', { tag: r.tag, count: r.count, source: t(`software.sources.${r.source}`), intake: r.intake_id });
    }, '', form);
    if (done) {
      this.message = done;
      this.requestUpdate();
    }
  }

  private why(c: Component): string {
    return c.properties?.find((p) => p.name === 'minato:why')?.value ?? '';
  }

  private ownBom() {
    const b = this.bom;
    return html`<section class="card" aria-labelledby="sbom-title">
      <h2 id="sbom-title">${t('software.sbom')}</h2>
      ${errorBox(this.errors.sbom, 'sbom-error')}
      ${b
        ? html`<p data-testid="sbom-summary">${t('software.sbom_summary', {
            version: b.metadata.component.version ?? '', count: b.components.length, time: formatTime(b.metadata.timestamp) })}</p>
          <p class="hint">${t('software.sbom_hash')} <code data-testid="sbom-hash">${b.metadata.component.hashes?.[0]?.content ?? ''}</code></p>
          <button type="button" @click=${() => void this.download()}>${t('software.download')}</button>
          <table data-testid="sbom">
            <thead><tr><th>${t('software.name')}</th><th>${t('software.version')}</th><th>${t('software.supplier')}</th><th>${t('software.why')}</th></tr></thead>
            <tbody>${b.components.map((c) => html`<tr data-name=${c.name}><td title=${c.purl ?? ''}>${c.name}</td><td>${c.version ?? ''}</td>
              <td>${c.supplier?.name ?? ''}</td><td class="wrap">${this.why(c)}</td></tr>`)}</tbody>
          </table>`
        : nothing}
    </section>`;
  }

  private overview() {
    return html`<section class="card" aria-labelledby="lists-title">
      <h2 id="lists-title">${t('software.lists')}</h2>
      ${errorBox(this.errors.lists, 'lists-error')}
      ${this.lists.length === 0
        ? html`<p data-testid="no-lists">${t('software.no_lists')}</p>`
        : html`<table data-testid="lists">
            <thead><tr><th>${t('software.asset')}</th><th>${t('software.source')}</th><th>${t('software.count')}</th>
              <th>${t('software.imported_at')}</th><th>${t('software.imported_by')}</th></tr></thead>
            <tbody>${this.lists.map((l) => html`<tr data-tag=${l.tag}><td><a href="/software/${encodeURIComponent(l.tag)}">${l.tag}</a></td>
              <td>${t(`software.sources.${l.source}`)} ${l.file ? html`<span class="hint">(${l.file})</span>` : nothing}</td>
              <td>${l.count}</td><td>${formatTime(l.imported_at)}</td><td>${l.imported_by}</td></tr>`)}</tbody>
          </table>`}
    </section>
    ${can('asset.manage')
      ? html`<form class="card" @submit=${(e: SubmitEvent) => void this.importList(e)} data-testid="software-import">
          <h2>${t('software.import')}</h2>
          <p class="hint">${t('software.import_hint')}</p>
          ${errorBox(this.errors.assets, 'assets-error')}
          <label>${t('software.asset')}<select name="tag" required>${this.tags.map((tag) => html`<option value=${tag}>${tag}</option>`)}</select></label>
          <label>${t('software.file')}<input type="file" name="file" accept=".txt,.tsv,.json,text/plain,application/json" required></label>
          ${errorBox(this.errors.import, 'software-import-error')}
          <button type="submit">${t('software.import_button')}</button>
        </form>`
      : nothing}`;
  }

  private assetList(l: AssetList) {
    const needle = this.filter.trim().toLowerCase();
    const shown = needle ? l.components.filter((c) => c.name.toLowerCase().includes(needle) || c.version.toLowerCase().includes(needle)) : l.components;
    return html`<p><a href="/software">${t('software.back')}</a></p>
      <section class="card" aria-labelledby="list-title">
        <h2 id="list-title">${t('software.list_of', { tag: l.tag })}</h2>
        ${l.imported_at
          ? html`<p data-testid="list-summary">${t('software.list_summary', {
              count: l.count, source: t(`software.sources.${l.source}`), time: formatTime(l.imported_at), who: l.imported_by })}</p>
            <label>${t('software.search')}<input type="search" .value=${this.filter}
              @input=${(e: Event) => { this.filter = (e.target as HTMLInputElement).value; this.requestUpdate(); }}></label>
            <table data-testid="components">
              <thead><tr><th>${t('software.name')}</th><th>${t('software.version')}</th><th>${t('software.arch')}</th><th>purl</th></tr></thead>
              <tbody>${shown.slice(0, 2000).map((c) => html`<tr data-name=${c.name}><td>${c.name}</td><td>${c.version}</td><td>${c.arch}</td><td class="wrap">${c.purl}</td></tr>`)}</tbody>
            </table>
            ${shown.length > 2000 ? html`<p class="hint">${t('software.more', { count: shown.length - 2000 })}</p>` : nothing}`
          : html`<p data-testid="no-list">${t('software.none_for_asset')}</p>`}
      </section>`;
  }

  override render() {
    return html`
      <h1>${t('software.title')}</h1>
      ${this.message ? html`<p class="notice" role="status" data-testid="software-message">${this.message}</p>` : nothing}
      ${this.wantedTag
        ? (this.current ? this.assetList(this.current) : errorBox(this.errors.list, 'list-error'))
        : html`${this.overview()}${this.ownBom()}`}
    `;
  }
}

customElements.define('page-software', SoftwarePage);
