// Configuration control (G2.6.1-a; the two-person rule of G2.1.1-h): the settings in force with
// where each value came from — its default, a line of minato.toml and the version that brought
// it (setup, the baseline, a file edit, an approved change), a flag of this run, or held (the
// file says otherwise and nobody has approved it) — the changes held back, whether the server
// must restart to use the file, the proposals waiting, and every version of the file. A
// config_changer proposes a change (or the file as it stands) and applies it once a security
// officer — another person — has approved it on the approvals page. And the key inventory
// (G2.3-c): every key with its fingerprint, when it was made and rotated, when it expires.
import { html, nothing } from 'lit';
import { api, seg } from '../lib/api';
import { formatTime, t } from '../lib/i18n';
import { LivePage } from '../lib/page';
import { can } from '../lib/session';
import { withStepUp } from '../lib/step-up';
import { errorBox } from '../components/error-box';

interface Change {
  setting: string;
  from: string;
  to: string;
  security: boolean;
}
interface Setting {
  setting: string;
  value: string;
  default: string;
  security: boolean;
  source: 'default' | 'file' | 'flag' | 'held';
  line: number;
  file_value?: string;
  since?: { version: number; kind: string; approval: number; at: string; by: string };
}
interface Version {
  id: number;
  sha256: string;
  kind: string;
  approval: number;
  changes: Change[];
  recorded: string;
  recorded_by: string;
}
interface Proposal {
  id: number;
  status: string;
  reason: string;
  requested_by: string;
  requested_at: string;
  decided_by: string;
  expires_at: string;
  changes: Change[];
}
interface Key {
  key: string;
  purpose: string;
  algorithm: string;
  rotation: string;
  location: string;
  present: boolean;
  fingerprint: string;
  subject: string;
  created: string;
  rotated: string;
  rotated_by: string;
  expires: string;
  warning: string;
}
interface ConfigView {
  file_sha256: string;
  running_sha256: string;
  restart_needed: boolean;
  held: Change[];
  settings: Setting[];
  versions: Version[];
  proposals: Proposal[];
}

export class ConfigPage extends LivePage {
  protected readonly topics = ['alerts'];
  private view: ConfigView | null = null;
  private keys: Key[] = [];
  private everything = false;

  protected async load(): Promise<void> {
    await Promise.all([
      this.loadPart('view', () => api.get<ConfigView>('/api/v1/config'), (v) => (this.view = v)),
      this.loadPart('keys', () => api.get<{ keys: Key[] }>('/api/v1/keys'), (v) => (this.keys = v.keys)),
    ]);
    this.requestUpdate();
  }

  private async propose(event: SubmitEvent, asItStands: boolean): Promise<void> {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const field = (name: string) => (form.elements.namedItem(name) as HTMLInputElement | null)?.value ?? '';
    const changes = asItStands ? [] : [{ setting: field('setting'), value: field('value') }];
    let id = 0;
    await this.act('propose', async () => {
      const r = await withStepUp(() => api.post<{ approval: number }>('/api/v1/config/proposals', { changes, reason: field('reason') }));
      id = r.approval;
    }, '', form);
    if (id) {
      this.message = t('config.proposed', { id });
      this.requestUpdate();
    }
  }

  private async apply(p: Proposal): Promise<void> {
    await this.act('apply', () => withStepUp(() => api.post(`/api/v1/config/proposals/${seg(p.id)}/apply`, {})),
      t('config.applied', { id: p.id }));
  }

  private changes(list: Change[]) {
    return html`<ul class="changes">${list.map((c) => html`<li data-setting=${c.setting}><code>${c.setting}</code>:
      <code>${c.from}</code> → <code>${c.to}</code>${c.security ? html` <span class="badge">${t('config.security')}</span>` : nothing}</li>`)}</ul>`;
  }

  private source(s: Setting) {
    const where = s.source === 'held'
      ? t('config.source_held', { value: s.file_value ?? '', line: s.line })
      : s.source === 'flag'
        ? t('config.source_flag', { value: s.file_value ?? '' })
        : s.source === 'file' ? t('config.source_file', { line: s.line }) : t('config.source_default');
    const since = s.since
      ? t('config.since', { version: s.since.version, kind: t(`config.kinds.${s.since.kind}`), by: s.since.by, time: formatTime(s.since.at) })
        + (s.since.approval ? ` ${t('config.by_request', { id: s.since.approval })}` : '')
      : '';
    return html`${where}${since ? html`<br><span class="hint">${since}</span>` : nothing}`;
  }

  private summary(v: ConfigView) {
    return html`<section class="card" aria-labelledby="state-title">
      <h2 id="state-title">${t('config.state')}</h2>
      <p class="hint">${t('config.file_hash')} <code data-testid="file-sha">${v.file_sha256}</code></p>
      ${v.restart_needed ? html`<p class="notice" role="status" data-testid="restart-needed">${t('config.restart_needed')}</p>` : nothing}
      ${v.held.length
        ? html`<div class="warning" role="alert" data-testid="held"><p>${t('config.held', { count: v.held.length })}</p>${this.changes(v.held)}</div>`
        : html`<p data-testid="nothing-held">${t('config.nothing_held')}</p>`}
    </section>`;
  }

  private proposals(v: ConfigView) {
    const writer = can('config.write');
    return html`<section class="card" aria-labelledby="proposals-title">
      <h2 id="proposals-title">${t('config.proposals')}</h2>
      ${errorBox(this.errors.apply, 'apply-error')}
      ${v.proposals.length === 0
        ? html`<p data-testid="no-proposals">${t('config.no_proposals')}</p>`
        : html`<table data-testid="proposals">
            <thead><tr><th>#</th><th>${t('config.status')}</th><th>${t('config.changes')}</th><th>${t('config.requested')}</th><th></th></tr></thead>
            <tbody>${v.proposals.map((p) => html`<tr data-id=${p.id}>
              <td>${p.id}</td><td>${t(`config.statuses.${p.status}`)}${p.decided_by ? html`<br><span class="hint">${p.decided_by}</span>` : nothing}</td>
              <td>${this.changes(p.changes)}<span class="hint">${p.reason}</span></td>
              <td>${p.requested_by}<br><span class="hint">${formatTime(p.requested_at)}</span></td>
              <td>${p.status === 'approved' && writer
                ? html`<button type="button" @click=${() => void this.apply(p)}>${t('config.apply')}</button>`
                : p.status === 'pending' ? html`<span class="hint">${t('config.awaiting')}</span>` : nothing}</td>
            </tr>`)}</tbody>
          </table>`}
      ${writer
        ? html`<form @submit=${(e: SubmitEvent) => void this.propose(e, false)} data-testid="propose">
            <h3>${t('config.propose')}</h3>
            <label>${t('config.setting')}<select name="setting" required>${v.settings.map((s) => html`<option value=${s.setting}>${s.setting}</option>`)}</select></label>
            <label>${t('config.value')}<input name="value" autocomplete="off"></label>
            <label>${t('config.reason')}<input name="reason" required maxlength="200" autocomplete="off"></label>
            ${errorBox(this.errors.propose, 'propose-error')}
            <button type="submit">${t('config.propose_button')}</button>
          </form>
          ${v.held.length
            ? html`<form @submit=${(e: SubmitEvent) => void this.propose(e, true)} data-testid="propose-file">
                <p class="hint">${t('config.propose_file_hint')}</p>
                <label>${t('config.reason')}<input name="reason" required maxlength="200" autocomplete="off"></label>
                <button type="submit">${t('config.propose_file')}</button>
              </form>`
            : nothing}`
        : nothing}
    </section>`;
  }

  private settings(v: ConfigView) {
    const shown = this.everything ? v.settings : v.settings.filter((s) => s.value !== s.default || s.source === 'held' || s.source === 'flag');
    return html`<section class="card" aria-labelledby="settings-title">
      <h2 id="settings-title">${t('config.settings')}</h2>
      <label class="inline"><input type="checkbox" .checked=${this.everything}
        @change=${(e: Event) => { this.everything = (e.target as HTMLInputElement).checked; this.requestUpdate(); }}> ${t('config.show_all')}</label>
      <table data-testid="settings">
        <thead><tr><th>${t('config.setting')}</th><th>${t('config.value')}</th><th>${t('config.source')}</th></tr></thead>
        <tbody>${shown.map((s) => html`<tr data-setting=${s.setting} class=${s.source === 'held' ? 'held' : ''}>
          <td><code>${s.setting}</code>${s.security ? nothing : html` <span class="hint">${t('config.operational')}</span>`}</td>
          <td class="wrap"><code>${s.value}</code></td><td>${this.source(s)}</td></tr>`)}</tbody>
      </table>
    </section>`;
  }

  // G2.3-c: every key, its fingerprint, age and expiry, and how it is rotated.
  private keyInventory() {
    return html`<section class="card" aria-labelledby="keys-title">
      <h2 id="keys-title">${t('config.keys')}</h2>
      <p class="hint">${t('config.keys_hint')}</p>
      ${errorBox(this.errors.keys, 'keys-error')}
      <table data-testid="keys">
        <thead><tr><th>${t('config.key')}</th><th>${t('config.fingerprint')}</th><th>${t('config.key_dates')}</th><th>${t('config.rotation')}</th></tr></thead>
        <tbody>${this.keys.map((k) => html`<tr data-key=${k.key} class=${k.warning ? 'held' : ''}>
          <td><strong>${k.key}</strong><br><span class="hint">${k.purpose}</span><br><span class="hint">${k.algorithm}</span></td>
          <td class="wrap">${k.present ? html`<code>${k.fingerprint}</code>${k.subject ? html`<br><span class="hint">${k.subject}</span>` : nothing}` : t('config.key_absent')}</td>
          <td>${k.created ? t('config.key_created', { time: formatTime(k.created) }) : nothing}
            <br>${k.rotated ? t('config.key_rotated', { time: formatTime(k.rotated), by: k.rotated_by }) : t('config.key_never_rotated')}
            ${k.expires ? html`<br>${t('config.key_expires', { time: formatTime(k.expires) })}` : nothing}
            ${k.warning ? html`<br><strong class="warning-text" data-testid="key-warning">${k.warning}</strong>` : nothing}</td>
          <td class="wrap"><code>${k.rotation}</code></td></tr>`)}</tbody>
      </table>
    </section>`;
  }

  private versions(v: ConfigView) {
    return html`<section class="card" aria-labelledby="versions-title">
      <h2 id="versions-title">${t('config.versions')}</h2>
      <table data-testid="versions">
        <thead><tr><th>#</th><th>${t('config.kind')}</th><th>${t('config.recorded')}</th><th>${t('config.changes')}</th></tr></thead>
        <tbody>${v.versions.map((r) => html`<tr data-id=${r.id} data-kind=${r.kind}>
          <td>${r.id}</td><td>${t(`config.kinds.${r.kind}`)}${r.approval ? html`<br><span class="hint">${t('config.by_request', { id: r.approval })}</span>` : nothing}</td>
          <td>${formatTime(r.recorded)}<br><span class="hint">${r.recorded_by}</span></td>
          <td>${r.changes.length ? this.changes(r.changes) : t('config.no_changes')}</td></tr>`)}</tbody>
      </table>
    </section>`;
  }

  override render() {
    const v = this.view;
    return html`
      <h1>${t('config.title')}</h1>
      <p class="hint">${t('config.intro')}</p>
      ${this.message ? html`<p class="notice" role="status" data-testid="config-message">${this.message}</p>` : nothing}
      ${errorBox(this.errors.view, 'view-error')}
      ${v ? html`${this.summary(v)}${this.proposals(v)}${this.settings(v)}${this.keyInventory()}${this.versions(v)}` : nothing}
    `;
  }
}

customElements.define('page-config', ConfigPage);
