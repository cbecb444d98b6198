// The asset register (G1.2, G2.6.1-a, A1.3.1-3), for asset managers (security staff and auditors
// read): every server, terminal, network device, MFP/IoT device and removable medium with the
// ledger's fields; removable media out on loan (overdue marked); a new asset; an inventory CSV
// brought in through the media intake; and an asset's page (/it-assets/TAG) with its fields, the
// work done on it, and — for a medium — its loans: requested, approved by a security officer
// (on the approvals screen), handed out, returned. Every step is an audited command.
import { html, nothing } from 'lit';
import { api, FileBody, seg } from '../lib/api';
import { formatTime, t } from '../lib/i18n';
import { LivePage } from '../lib/page';
import { navigate } from '../lib/router';
import { can } from '../lib/session';
import { errorBox } from '../components/error-box';

interface Asset {
  tag: string;
  kind: string;
  name: string;
  serial: string;
  os: string;
  applications: string;
  patches: string;
  owner: string;
  used_by: string;
  place: string;
  power: string;
  network: string;
  state: string;
  notes: string;
  updated: string;
  updated_by: string;
  work?: { date: string; work: string; worker: string; approved_by: string; recorded_by: string }[];
  loans?: Loan[];
}
interface Loan {
  id: number;
  approval: number;
  holder: string;
  purpose: string;
  out: string;
  due: string;
  returned: string | null;
  note: string;
  overdue?: boolean;
}

const KINDS = ['server', 'terminal', 'network', 'mfp', 'iot', 'media', 'other'];
const STATES = ['planned', 'in_service', 'maintenance', 'retired', 'disposed'];
// The ledger's fields after tag, kind and name (A1.3.1), as the form edits them.
const FIELDS = ['serial', 'os', 'applications', 'patches', 'owner', 'used_by', 'place', 'power', 'network', 'notes'];
const LONG = new Set(['applications', 'notes']);

export class AssetsPage extends LivePage {
  protected readonly topics = ['alerts'];
  private assets: Asset[] = [];
  private out: Loan[] = [];
  private current: Asset | null = null;

  private get wantedTag(): string {
    const m = /^\/it-assets\/([^/]+)$/.exec(location.pathname);
    return m ? decodeURIComponent(m[1]) : '';
  }

  protected async load(): Promise<void> {
    const tag = this.wantedTag;
    await Promise.all([
      this.loadPart('loans', () => api.get<{ loans: Loan[] }>('/api/v1/media-loans'), (v) => (this.out = v.loans)),
      tag
        ? this.loadPart('asset', () => api.get<Asset>(`/api/v1/assets/${seg(tag)}`), (v) => (this.current = v))
        : this.loadPart('list', () => api.get<{ assets: Asset[] }>('/api/v1/assets'), (v) => (this.assets = v.assets)),
    ]);
    this.requestUpdate();
  }

  private values(event: SubmitEvent): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of new FormData(event.target as HTMLFormElement)) {
      if (typeof v === 'string') out[k] = k === 'applications' || k === 'notes' ? v : v.trim();
    }
    return out;
  }

  private async add(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const body = this.values(event);
    let tag = '';
    await this.act('add', async () => {
      tag = (await api.post<Asset>('/api/v1/assets', body)).tag;
    }, t('assets.added', { tag: body.tag }), event.target as HTMLFormElement);
    if (tag) navigate(`/it-assets/${encodeURIComponent(tag)}`);
  }

  private async importCsv(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const input = (event.target as HTMLFormElement).querySelector('input[type=file]') as HTMLInputElement;
    const file = input.files?.[0];
    if (!file) return;
    let done = '';
    await this.act('import', async () => {
      const r = await api.post<{ added: number; updated: number; unchanged: number; intake: number }>(
        '/api/v1/asset-imports', new FileBody(await file.arrayBuffer(), 'text/csv'), { headers: { 'X-File-Name': file.name } });
      done = t('assets.imported', { added: r.added, updated: r.updated, unchanged: r.unchanged, intake: r.intake });
    }, '', event.target as HTMLFormElement);
    if (done) {
      this.message = done;
      this.requestUpdate();
    }
  }

  private async save(event: SubmitEvent, a: Asset): Promise<void> {
    event.preventDefault();
    await this.act('asset', () => api.patch(`/api/v1/assets/${seg(a.tag)}`, this.values(event)), t('assets.saved'));
  }

  private async work(event: SubmitEvent, a: Asset): Promise<void> {
    event.preventDefault();
    await this.act('work', () => api.post(`/api/v1/assets/${seg(a.tag)}/work`, this.values(event)),
      t('assets.work_recorded'), event.target as HTMLFormElement);
  }

  // G2.6.1-c, G2.6.3: the decommission certificate of what ran on this asset disposes of it.
  private async dispose(event: SubmitEvent, a: Asset): Promise<void> {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const file = (form.querySelector('input[type=file]') as HTMLInputElement).files?.[0];
    if (!file) return;
    const fingerprint = this.values(event).fingerprint;
    const body: Record<string, string> = { certificate: await file.text() };
    if (fingerprint) body.fingerprint = fingerprint;
    await this.act('disposal', () => api.post(`/api/v1/assets/${seg(a.tag)}/disposal`, body),
      t('assets.disposed', { tag: a.tag }), form);
  }

  private disposal(a: Asset) {
    if (a.state === 'disposed') {
      return html`<p class="notice" data-testid="disposed">${t('assets.disposed_note')}</p>`;
    }
    if (!can('asset.manage') || a.kind === 'media') return nothing;
    return html`<section class="card" aria-labelledby="disposal-title">
      <h2 id="disposal-title">${t('assets.disposal')}</h2>
      <p class="hint">${t('assets.disposal_hint')}</p>
      <form class="row" @submit=${(e: SubmitEvent) => void this.dispose(e, a)} data-testid="disposal-form">
        <label>${t('assets.certificate_file')}<input type="file" name="certificate" required></label>
        <label>${t('assets.fingerprint')}<input name="fingerprint" pattern="[0-9a-fA-F]{64}" maxlength="64"></label>
        <button type="submit">${t('assets.dispose')}</button>
      </form>
      ${errorBox(this.errors.disposal, 'disposal-error')}
    </section>`;
  }

  private async requestCheckout(event: SubmitEvent, a: Asset): Promise<void> {
    event.preventDefault();
    const v = this.values(event);
    let id = 0;
    await this.act('loan', async () => {
      id = (await api.post<{ approval: number }>(`/api/v1/assets/${seg(a.tag)}/checkout-requests`,
        { holder: v.holder, purpose: v.purpose, days: Number(v.days) })).approval;
    }, '', event.target as HTMLFormElement);
    if (id) {
      this.message = t('assets.requested', { id });
      this.requestUpdate();
    }
  }

  private async checkout(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    await this.act('loan', () => api.post('/api/v1/media-loans', { approval: Number(this.values(event).approval) }),
      t('assets.out'), event.target as HTMLFormElement);
  }

  private async giveBack(event: SubmitEvent, a: Asset): Promise<void> {
    event.preventDefault();
    await this.act('loan', () => api.post(`/api/v1/assets/${seg(a.tag)}/return`, { note: this.values(event).note }),
      t('assets.returned'), event.target as HTMLFormElement);
  }

  private loansOut() {
    return html`<section class="card" aria-labelledby="out-title">
      <h2 id="out-title">${t('assets.loans_out')}</h2>
      ${errorBox(this.errors.loans, 'loans-error')}
      ${this.out.length === 0
        ? html`<p data-testid="no-loans">${t('assets.none_out')}</p>`
        : html`<table data-testid="loans-out">
            <thead><tr><th>${t('assets.holder')}</th><th>${t('assets.purpose')}</th><th>${t('assets.out_at')}</th><th>${t('assets.due')}</th></tr></thead>
            <tbody>${this.out.map((l) => html`<tr class=${l.overdue ? 'bad' : ''} data-loan=${l.id}>
              <td>${l.holder}</td><td>${l.purpose}</td><td>${formatTime(l.out)}</td>
              <td>${formatTime(l.due)}${l.overdue ? html` <strong>${t('assets.overdue')}</strong>` : nothing}</td></tr>`)}</tbody>
          </table>`}
    </section>`;
  }

  private fieldInputs(a: Asset | null, readonly: boolean) {
    return html`
      <label>${t('assets.kind')}<select name="kind" ?disabled=${readonly}>${KINDS.map((k) => html`<option value=${k} ?selected=${a?.kind === k}>${t(`assets.kinds.${k}`)}</option>`)}</select></label>
      <label>${t('assets.name')}<input name="name" required maxlength="200" .value=${a?.name ?? ''} ?readonly=${readonly}></label>
      <label>${t('assets.state')}<select name="state" ?disabled=${readonly}>${STATES.map((s) => html`<option value=${s} ?selected=${(a?.state ?? 'in_service') === s}>${t(`assets.states.${s}`)}</option>`)}</select></label>
      ${FIELDS.map((f) => LONG.has(f)
        ? html`<label>${t(`assets.f.${f}`)}<textarea name=${f} rows="2" maxlength="2000" .value=${a?.[f as keyof Asset] as string ?? ''} ?readonly=${readonly}></textarea></label>`
        : html`<label>${t(`assets.f.${f}`)}<input name=${f} maxlength="2000" .value=${a?.[f as keyof Asset] as string ?? ''} ?readonly=${readonly}></label>`)}`;
  }

  private register() {
    const manage = can('asset.manage');
    return html`
      <section class="card" aria-labelledby="register-title">
        <h2 id="register-title">${t('assets.register')}</h2>
        ${errorBox(this.errors.list, 'list-error')}
        ${this.assets.length === 0
          ? html`<p>${t('assets.empty')}</p>`
          : html`<table data-testid="assets">
              <thead><tr><th>${t('assets.tag')}</th><th>${t('assets.kind')}</th><th>${t('assets.name')}</th>
                <th>${t('assets.f.place')}</th><th>${t('assets.f.owner')}</th><th>${t('assets.state')}</th></tr></thead>
              <tbody>${this.assets.map((a) => html`<tr data-tag=${a.tag}><td><a href="/it-assets/${encodeURIComponent(a.tag)}">${a.tag}</a></td>
                <td>${t(`assets.kinds.${a.kind}`)}</td><td>${a.name}</td><td>${a.place}</td><td>${a.owner}</td>
                <td>${t(`assets.states.${a.state}`)}</td></tr>`)}</tbody>
            </table>`}
      </section>
      ${manage
        ? html`<form class="card" @submit=${(e: SubmitEvent) => void this.add(e)} data-testid="add-form">
            <h2>${t('assets.add')}</h2>
            <label>${t('assets.tag')}<input name="tag" required maxlength="32" pattern="[A-Za-z0-9._\\-]+"></label>
            ${this.fieldInputs(null, false)}
            ${errorBox(this.errors.add, 'add-error')}
            <button type="submit">${t('assets.add_button')}</button>
          </form>
          <form class="card" @submit=${(e: SubmitEvent) => void this.importCsv(e)} data-testid="import-form">
            <h2>${t('assets.import')}</h2>
            <p class="hint">${t('assets.import_hint')}</p>
            <label>${t('assets.csv_file')}<input type="file" name="file" accept=".csv,text/csv" required></label>
            ${errorBox(this.errors.import, 'import-error')}
            <button type="submit">${t('assets.import_button')}</button>
          </form>`
        : nothing}`;
  }

  private detail(a: Asset) {
    const manage = can('asset.manage');
    const loanOut = (a.loans ?? []).find((l) => !l.returned);
    return html`
      <p><a href="/it-assets">${t('assets.back')}</a> · <a href="/software/${encodeURIComponent(a.tag)}">${t('assets.software_link')}</a></p>
      <form class="card" @submit=${(e: SubmitEvent) => void this.save(e, a)} data-testid="asset">
        <h2>${a.tag}: ${a.name}</h2>
        <p class="hint">${t('assets.updated', { who: a.updated_by, time: formatTime(a.updated) })}</p>
        ${this.fieldInputs(a, !manage)}
        ${errorBox(this.errors.asset, 'asset-error')}
        ${manage ? html`<button type="submit">${t('assets.save')}</button>` : nothing}
      </form>
      <section class="card" aria-labelledby="work-title">
        <h2 id="work-title">${t('assets.work')}</h2>
        <table data-testid="work">
          <thead><tr><th>${t('assets.date')}</th><th>${t('assets.work_done')}</th><th>${t('assets.worker')}</th><th>${t('assets.approved_by')}</th></tr></thead>
          <tbody>${(a.work ?? []).map((w) => html`<tr><td>${w.date}</td><td>${w.work}</td><td>${w.worker}</td><td>${w.approved_by}</td></tr>`)}</tbody>
        </table>
        ${manage
          ? html`<form class="row" @submit=${(e: SubmitEvent) => void this.work(e, a)} data-testid="work-form">
              <label>${t('assets.date')}<input type="date" name="date" required></label>
              <label>${t('assets.work_done')}<input name="work" required maxlength="2000"></label>
              <label>${t('assets.worker')}<input name="worker" required maxlength="200"></label>
              <label>${t('assets.approved_by')}<input name="approved_by" maxlength="200"></label>
              <button type="submit">${t('assets.record_work')}</button>
            </form>`
          : nothing}
        ${errorBox(this.errors.work, 'work-error')}
      </section>
      ${this.disposal(a)}
      ${a.kind === 'media'
        ? html`<section class="card" aria-labelledby="loan-title">
            <h2 id="loan-title">${t('assets.loans')}</h2>
            <table data-testid="loans">
              <thead><tr><th>${t('assets.holder')}</th><th>${t('assets.purpose')}</th><th>${t('assets.out_at')}</th><th>${t('assets.due')}</th>
                <th>${t('assets.back_at')}</th><th>${t('assets.return_note')}</th></tr></thead>
              <tbody>${(a.loans ?? []).map((l) => html`<tr><td>${l.holder}</td><td>${l.purpose}</td><td>${formatTime(l.out)}</td><td>${formatTime(l.due)}</td>
                <td>${l.returned ? formatTime(l.returned) : t('assets.still_out')}</td><td>${l.note}</td></tr>`)}</tbody>
            </table>
            ${errorBox(this.errors.loan, 'loan-error')}
            ${manage && !loanOut
              ? html`<form class="row" @submit=${(e: SubmitEvent) => void this.requestCheckout(e, a)} data-testid="request-form">
                  <label>${t('assets.holder')}<input name="holder" required maxlength="200"></label>
                  <label>${t('assets.purpose')}<input name="purpose" required maxlength="2000"></label>
                  <label>${t('assets.days')}<input type="number" name="days" min="1" max="30" value="1" required></label>
                  <button type="submit">${t('assets.request')}</button>
                </form>
                <form class="row" @submit=${(e: SubmitEvent) => void this.checkout(e)} data-testid="checkout-form">
                  <label>${t('assets.approval')}<input type="number" name="approval" min="1" required></label>
                  <button type="submit">${t('assets.checkout')}</button>
                </form>`
              : nothing}
            ${manage && loanOut
              ? html`<form class="row" @submit=${(e: SubmitEvent) => void this.giveBack(e, a)} data-testid="return-form">
                  <label>${t('assets.return_note')}<input name="note" maxlength="2000"></label>
                  <button type="submit">${t('assets.return')}</button>
                </form>`
              : nothing}
          </section>`
        : nothing}`;
  }

  override render() {
    return html`
      <h1>${t('assets.title')}</h1>
      ${this.message ? html`<p class="notice" role="status" data-testid="assets-message">${this.message}</p>` : nothing}
      ${this.loansOut()}
      ${this.wantedTag ? (this.current ? this.detail(this.current) : errorBox(this.errors.asset, 'asset-error')) : this.register()}
    `;
  }
}

customElements.define('page-assets', AssetsPage);
