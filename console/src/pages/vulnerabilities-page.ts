// The vulnerability register (G2.7.5, G2.7.1-a), for asset managers (security staff and
// auditors read): why the list may be incomplete (no feed, a stale feed, no software lists)
// shown before anything else; each feed's age; the findings, known exploited (KEV) and
// ransomware use first; a feed (OSV or CISA KEV JSON) brought in through the media intake; and
// a finding's page (/vulnerabilities/ID) with its plan — need, method, workaround, impact,
// schedule, tests, compensating control, owner, due date, state. Every change is audited.
import { html, nothing } from 'lit';
import { api, FileBody, seg } from '../lib/api';
import { formatTime, t } from '../lib/i18n';
import { LivePage } from '../lib/page';
import { can } from '../lib/session';
import { errorBox } from '../components/error-box';

interface Finding {
  id: number;
  tag: string;
  package: string;
  version: string;
  advisory: string;
  fixed: string;
  cves: string;
  summary: string;
  severity: string;
  kev: boolean;
  ransomware: boolean;
  kev_due: string;
  state: string;
  owner: string;
  due_date: string;
  need: string;
  method: string;
  workaround: string;
  impact: string;
  schedule: string;
  tests: string;
  compensating: string;
  first_seen: string;
  resolved: string;
  updated: string;
  updated_by: string;
}
interface Feed {
  kind: string;
  file: string;
  newest: string;
  imported: string;
  age_days: number;
  stale: boolean;
}
interface Warning {
  code: 'no_feed' | 'no_lists' | 'stale';
  kind: string;
  age_days: number;
  limit: number;
  text: string;
}
interface Register {
  findings: Finding[];
  feeds: Feed[];
  warnings: Warning[];
}

const STATES = ['open', 'planned', 'mitigated', 'accepted', 'resolved'];
// The G2.7.5 plan, as the form edits it.
const PLAN = ['need', 'method', 'workaround', 'impact', 'schedule', 'tests', 'compensating'];

export class VulnerabilitiesPage extends LivePage {
  protected readonly topics = ['alerts'];
  private reg: Register | null = null;
  private current: Finding | null = null;
  private showResolved = false;

  private get wantedId(): string {
    const m = /^\/vulnerabilities\/(\d+)$/.exec(location.pathname);
    return m ? m[1] : '';
  }

  protected async load(): Promise<void> {
    const id = this.wantedId;
    if (id) {
      await this.loadPart('finding', () => api.get<Finding>(`/api/v1/findings/${seg(id)}`), (v) => (this.current = v));
    } else {
      await this.loadPart('register', () => api.get<Register>('/api/v1/findings'), (v) => (this.reg = v));
    }
    this.requestUpdate();
  }

  private async importFeed(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const file = (form.querySelector('input[type=file]') as HTMLInputElement).files?.[0];
    if (!file) return;
    let done = '';
    await this.act('feed', async () => {
      const r = await api.post<{ kind: string; entries: number; new_findings: number; resolved: number; open: number; intake: number }>(
        '/api/v1/vulnerability-feeds', new FileBody(await file.arrayBuffer(), /\.zip$/i.test(file.name) ? 'application/zip' : 'application/json'), { headers: { 'X-File-Name': file.name } });
      done = t('vulns.imported', { kind: t(`vulns.kinds.${r.kind}`), entries: r.entries, opened: r.new_findings, resolved: r.resolved, open: r.open, intake: r.intake });
    }, '', form);
    if (done) {
      this.message = done;
      this.requestUpdate();
    }
  }

  private async savePlan(event: SubmitEvent, f: Finding): Promise<void> {
    event.preventDefault();
    const body: Record<string, string> = {};
    for (const [k, v] of new FormData(event.target as HTMLFormElement)) {
      if (typeof v === 'string') body[k] = k === 'owner' || k === 'due_date' || k === 'state' ? v.trim() : v;
    }
    await this.act('plan', () => api.patch(`/api/v1/findings/${seg(f.id)}`, body), t('vulns.saved'));
  }

  private flags(f: Finding) {
    return html`${f.kev ? html`<strong class="bad" data-kev>${t('vulns.kev')}</strong>` : nothing}
      ${f.ransomware ? html` <strong class="bad">${t('vulns.ransomware')}</strong>` : nothing}`;
  }

  private warnings(reg: Register) {
    if (reg.warnings.length === 0) return nothing;
    return html`<section class="card warn" role="alert" data-testid="vuln-warnings">
      <h2>${t('vulns.incomplete')}</h2>
      <ul>${reg.warnings.map((w) => html`<li data-code=${w.code}>${t(`vulns.warn.${w.code}`, { kind: w.kind ? t(`vulns.kinds.${w.kind}`) : '', age: w.age_days, limit: w.limit })}</li>`)}</ul>
    </section>`;
  }

  private feeds(reg: Register) {
    return html`<section class="card" aria-labelledby="feeds-title">
      <h2 id="feeds-title">${t('vulns.feeds')}</h2>
      ${reg.feeds.length === 0
        ? html`<p>${t('vulns.no_feeds')}</p>`
        : html`<table data-testid="feeds">
            <thead><tr><th>${t('vulns.feed')}</th><th>${t('vulns.file')}</th><th>${t('vulns.newest')}</th><th>${t('vulns.imported_at')}</th><th>${t('vulns.age')}</th></tr></thead>
            <tbody>${reg.feeds.map((f) => html`<tr data-kind=${f.kind} class=${f.stale ? 'bad' : ''}><td>${t(`vulns.kinds.${f.kind}`)}</td><td>${f.file}</td><td>${f.newest}</td>
              <td>${formatTime(f.imported)}</td><td>${t('vulns.days', { n: f.age_days })}${f.stale ? html` <strong>${t('vulns.stale')}</strong>` : nothing}</td></tr>`)}</tbody>
          </table>`}
      ${can('asset.manage')
        ? html`<form class="row" @submit=${(e: SubmitEvent) => void this.importFeed(e)} data-testid="feed-form">
            <label>${t('vulns.feed_file')}<input type="file" name="file" accept=".json,application/json" required></label>
            <button type="submit">${t('vulns.import')}</button>
          </form>
          <p class="hint">${t('vulns.import_hint')}</p>`
        : nothing}
      ${errorBox(this.errors.feed, 'feed-error')}
    </section>`;
  }

  private findings(reg: Register) {
    const shown = reg.findings.filter((f) => this.showResolved || f.state !== 'resolved');
    return html`<section class="card" aria-labelledby="findings-title">
      <h2 id="findings-title">${t('vulns.findings')}</h2>
      <label class="inline"><input type="checkbox" .checked=${this.showResolved}
        @change=${(e: Event) => { this.showResolved = (e.target as HTMLInputElement).checked; this.requestUpdate(); }}> ${t('vulns.show_resolved')}</label>
      ${shown.length === 0
        ? html`<p data-testid="no-findings">${t('vulns.none')}</p>`
        : html`<table data-testid="findings">
            <thead><tr><th>${t('vulns.advisory')}</th><th>${t('vulns.asset')}</th><th>${t('vulns.package')}</th><th>${t('vulns.fixed')}</th>
              <th>${t('vulns.state')}</th><th>${t('vulns.owner')}</th><th>${t('vulns.due')}</th></tr></thead>
            <tbody>${shown.map((f) => html`<tr data-id=${f.id} class=${f.kev ? 'bad' : ''}>
              <td><a href="/vulnerabilities/${f.id}">${f.advisory}</a> ${this.flags(f)}<br><span class="hint">${f.cves}</span></td>
              <td>${f.tag}</td><td>${f.package} ${f.version}</td><td>${f.fixed || t('vulns.no_fix')}</td>
              <td>${t(`vulns.states.${f.state}`)}</td><td>${f.owner}</td><td>${f.due_date || f.kev_due}</td></tr>`)}</tbody>
          </table>`}
    </section>`;
  }

  private detail(f: Finding) {
    const manage = can('asset.manage');
    return html`<p><a href="/vulnerabilities">${t('vulns.back')}</a></p>
      <section class="card" aria-labelledby="finding-title">
        <h2 id="finding-title">${f.advisory}: ${f.package} ${f.version} (${f.tag})</h2>
        <p>${this.flags(f)} ${f.summary}</p>
        <dl class="facts" data-testid="finding-facts">
          <dt>${t('vulns.cves')}</dt><dd>${f.cves || '-'}</dd>
          <dt>${t('vulns.fixed')}</dt><dd>${f.fixed || t('vulns.no_fix')}</dd>
          <dt>${t('vulns.severity')}</dt><dd>${f.severity || '-'}</dd>
          ${f.kev ? html`<dt>${t('vulns.kev_due')}</dt><dd>${f.kev_due}</dd>` : nothing}
          <dt>${t('vulns.first_seen')}</dt><dd>${formatTime(f.first_seen)}</dd>
          ${f.resolved ? html`<dt>${t('vulns.resolved_at')}</dt><dd>${formatTime(f.resolved)}</dd>` : nothing}
          <dt>${t('vulns.updated')}</dt><dd>${formatTime(f.updated)} (${f.updated_by})</dd>
        </dl>
      </section>
      <form class="card" @submit=${(e: SubmitEvent) => void this.savePlan(e, f)} data-testid="plan">
        <h2>${t('vulns.plan')}</h2>
        <label>${t('vulns.state')}<select name="state" ?disabled=${!manage}>${STATES.map((s) => html`<option value=${s} ?selected=${f.state === s}>${t(`vulns.states.${s}`)}</option>`)}</select></label>
        <label>${t('vulns.owner')}<input name="owner" maxlength="2000" .value=${f.owner} ?readonly=${!manage}></label>
        <label>${t('vulns.due')}<input type="date" name="due_date" .value=${f.due_date} ?readonly=${!manage}></label>
        ${PLAN.map((k) => html`<label>${t(`vulns.p.${k}`)}<textarea name=${k} rows="2" maxlength="2000" .value=${f[k as keyof Finding] as string} ?readonly=${!manage}></textarea></label>`)}
        ${errorBox(this.errors.plan, 'plan-error')}
        ${manage ? html`<button type="submit">${t('vulns.save')}</button>` : nothing}
      </form>`;
  }

  override render() {
    return html`
      <h1>${t('vulns.title')}</h1>
      ${this.message ? html`<p class="notice" role="status" data-testid="vulns-message">${this.message}</p>` : nothing}
      ${this.wantedId
        ? (this.current ? this.detail(this.current) : errorBox(this.errors.finding, 'finding-error'))
        : this.reg
          ? html`${this.warnings(this.reg)}${this.feeds(this.reg)}${this.findings(this.reg)}`
          : errorBox(this.errors.register, 'register-error')}
    `;
  }
}

customElements.define('page-vulnerabilities', VulnerabilitiesPage);
