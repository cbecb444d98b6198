// The compliance dashboard (issue 21), for auditors and security officers: every item of the
// port-sector guideline as the server checks it now — its status, the reason and the values the
// check looked at, the law column flagged, the evidence, since when — filtered by status; the
// signed report (Japanese or English; HTML, PDF, JSON or OSCAL) downloaded with its signature
// file; and, for security officers, the evidence register: evidence of an organisational
// measure with its files (each taken in through the media intake), and its withdrawal.
import { html, nothing } from 'lit';
import { api, saveBlob, seg } from '../lib/api';
import { currentLang, formatTime, t } from '../lib/i18n';
import { LivePage } from '../lib/page';
import { can } from '../lib/session';
import { errorBox } from '../components/error-box';

type Status = 'pass' | 'partial' | 'fail' | 'evidence-needed' | 'not-applicable';
const STATUSES: Status[] = ['fail', 'partial', 'evidence-needed', 'pass', 'not-applicable'];

interface EvidenceFile {
  intake_id: number;
  name: string;
  sha256: string;
  bytes: number;
  type: string;
}
interface Evidence {
  id: number;
  item: string;
  kind: 'evidence' | 'not_applicable';
  title: string;
  owner: string;
  dated: string;
  review_by: string;
  note: string;
  files: EvidenceFile[];
  current: boolean;
  recorded_by: string;
  withdrawn: string | null;
}
interface Item {
  id: string;
  section: string;
  section_en: string;
  section_ja: string;
  law: string;
  kind: 'P' | 'P+O' | 'O';
  summary_en: string;
  summary_ja: string;
  status: Status;
  reason_en: string;
  reason_ja: string;
  values: { name: string; value: string }[];
  evidence: Evidence[];
  since: string;
}
interface Overview {
  checked: string;
  totals: Record<Status, number>;
  items: Item[];
}
interface ReportAnswer {
  file_name: string;
  content_type: string;
  content: string;
  signature_name: string;
  signature: string;
}

function fromBase64url(text: string): Uint8Array<ArrayBuffer> {
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4);
  const bin = atob(b64);
  const out = new Uint8Array(new ArrayBuffer(bin.length));
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function toBase64url(bytes: ArrayBuffer): string {
  const view = new Uint8Array(bytes);
  let bin = '';
  for (let i = 0; i < view.length; i += 0x8000) bin += String.fromCharCode(...view.subarray(i, i + 0x8000));
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export class CompliancePage extends LivePage {
  // The checks follow the alerts (a regression raises one) and configuration changes.
  protected readonly topics = ['alerts'];
  private overview: Overview | null = null;
  private evidence: Evidence[] = [];
  private show: Status | 'all' = 'all';
  private busy = false;

  protected async load(): Promise<void> {
    await this.loadPart('items', () => api.get<Overview>('/api/v1/compliance'), (o) => (this.overview = o));
    if (can('compliance.evidence')) {
      await this.loadPart('evidence', () => api.get<{ evidence: Evidence[] }>('/api/v1/compliance/evidence'), (v) => (this.evidence = v.evidence));
    }
    this.requestUpdate();
  }

  private async report(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    if (this.busy) return;
    const form = e.target as HTMLFormElement;
    const data = new FormData(form);
    this.busy = true;
    this.requestUpdate();
    await this.act('report', async () => {
      const r = await api.post<ReportAnswer>('/api/v1/compliance/reports', { lang: data.get('lang'), format: data.get('format') });
      saveBlob(new Blob([fromBase64url(r.content)], { type: r.content_type }), r.file_name);
      saveBlob(new Blob([r.signature], { type: 'text/plain' }), r.signature_name);
    }, t('compliance.report_done'));
    this.busy = false;
    this.requestUpdate();
  }

  private async addEvidence(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const data = new FormData(form);
    const input = form.querySelector<HTMLInputElement>('input[type=file]');
    const files = await Promise.all(Array.from(input?.files ?? []).map(async (f) => ({ name: f.name, content: toBase64url(await f.arrayBuffer()) })));
    const body: Record<string, unknown> = {
      item: data.get('item'), title: data.get('title'), owner: data.get('owner'),
      dated: data.get('dated'), review_by: data.get('review_by'), files,
    };
    if (data.get('note')) body.note = data.get('note');
    if (data.get('not_applicable')) body.not_applicable = true;
    await this.act('add', () => api.post('/api/v1/compliance/evidence', body), t('compliance.evidence_added', { item: String(data.get('item')) }), form);
  }

  private async withdraw(e: SubmitEvent, id: number): Promise<void> {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const reason = new FormData(form).get('reason');
    await this.act('withdraw', () => api.post(`/api/v1/compliance/evidence/${seg(id)}/withdrawal`, { reason }), t('compliance.evidence_withdrawn', { id }), form);
  }

  private itemRow(i: Item) {
    const ja = currentLang() === 'ja';
    const cls = i.status === 'fail' ? 'bad' : '';
    return html`<tr class=${cls} data-item=${i.id} data-status=${i.status}>
      <td><strong>${i.id}</strong><br><span class="hint">${i.kind}</span></td>
      <td>${ja ? i.summary_ja : i.summary_en}
        ${i.law ? html`<br><span class="badge" data-testid="law">${t(`compliance.law.${i.law}`)}</span>` : nothing}</td>
      <td><span class="status status-${i.status}" data-testid="status">${t(`compliance.status.${i.status}`)}</span></td>
      <td>${ja ? i.reason_ja : i.reason_en}
        ${i.values.length
          ? html`<details><summary>${t('compliance.values')}</summary><ul class="values">${i.values.map((v) => html`<li><code>${v.name}</code> = ${v.value}</li>`)}</ul></details>`
          : nothing}
        ${i.evidence.map((ev) => html`<div class="hint">${t('compliance.evidence_line', { id: ev.id, title: ev.title, owner: ev.owner, review: ev.review_by })}${ev.current ? '' : ` — ${t('compliance.past_review')}`}</div>`)}</td>
      <td>${formatTime(i.since)}</td>
    </tr>`;
  }

  private items() {
    const o = this.overview;
    if (!o) return errorBox(this.errors.items, 'compliance-error');
    const shown = this.show === 'all' ? o.items : o.items.filter((i) => i.status === this.show);
    return html`<section class="card" aria-labelledby="items-title">
      <h2 id="items-title">${t('compliance.items')}</h2>
      <p data-testid="compliance-totals">${STATUSES.map((s) => html`<span class="status status-${s}" data-status=${s}>${t(`compliance.status.${s}`)} ${o.totals[s] ?? 0}</span> `)}</p>
      <p class="hint">${t('compliance.checked', { time: formatTime(o.checked, true) })}</p>
      <label>${t('compliance.filter')}<select @change=${(e: Event) => { this.show = (e.target as HTMLSelectElement).value as Status | 'all'; this.requestUpdate(); }}>
        <option value="all">${t('compliance.all')}</option>
        ${STATUSES.map((s) => html`<option value=${s} ?selected=${this.show === s}>${t(`compliance.status.${s}`)}</option>`)}
      </select></label>
      <table data-testid="compliance-items">
        <thead><tr><th>ID</th><th>${t('compliance.item')}</th><th>${t('compliance.status_head')}</th><th>${t('compliance.reason')}</th><th>${t('compliance.since')}</th></tr></thead>
        <tbody>${shown.map((i) => this.itemRow(i))}</tbody>
      </table>
    </section>`;
  }

  private reportForm() {
    return html`<form class="card" data-testid="report-form" @submit=${(e: SubmitEvent) => void this.report(e)}>
      <h2>${t('compliance.report')}</h2>
      <p class="hint">${t('compliance.report_hint')}</p>
      <label>${t('compliance.lang')}<select name="lang">
        <option value="ja" ?selected=${currentLang() === 'ja'}>日本語</option>
        <option value="en" ?selected=${currentLang() === 'en'}>English</option></select></label>
      <label>${t('compliance.format')}<select name="format">
        <option value="pdf">PDF</option><option value="html">HTML</option><option value="json">JSON</option>
        <option value="oscal">OSCAL (assessment-results)</option></select></label>
      ${errorBox(this.errors.report, 'report-error')}
      <button type="submit" ?disabled=${this.busy}>${this.busy ? t('compliance.making') : t('compliance.make_report')}</button>
    </form>`;
  }

  private register() {
    if (!can('compliance.evidence')) return nothing;
    const items = this.overview?.items.filter((i) => i.kind !== 'P') ?? [];
    return html`<section class="card" aria-labelledby="evidence-title">
      <h2 id="evidence-title">${t('compliance.register')}</h2>
      <p class="hint">${t('compliance.register_hint')}</p>
      ${errorBox(this.errors.evidence, 'evidence-error')}
      ${errorBox(this.errors.withdraw, 'withdraw-error')}
      ${this.evidence.length === 0
        ? html`<p data-testid="no-evidence">${t('compliance.no_evidence')}</p>`
        : html`<table data-testid="evidence">
            <thead><tr><th>#</th><th>ID</th><th>${t('compliance.title_field')}</th><th>${t('compliance.owner')}</th>
              <th>${t('compliance.dated')}</th><th>${t('compliance.review_by')}</th><th>${t('compliance.files')}</th><th>${t('users.actions')}</th></tr></thead>
            <tbody>${this.evidence.map((ev) => html`<tr class=${ev.current ? '' : 'bad'} data-evidence=${ev.id}>
              <td>${ev.id}</td><td>${ev.item}</td>
              <td>${ev.kind === 'not_applicable' ? html`<span class="badge">${t('compliance.not_applicable')}</span> ` : nothing}${ev.title}</td>
              <td>${ev.owner}</td><td>${ev.dated}</td><td>${ev.review_by}${ev.current ? '' : html` <strong>${t('compliance.past_review')}</strong>`}</td>
              <td>${ev.files.map((f) => html`<div>${f.name} <code class="hint" title=${f.sha256}>${f.sha256.slice(0, 12)}…</code></div>`)}</td>
              <td><form @submit=${(e: SubmitEvent) => void this.withdraw(e, ev.id)}>
                <label>${t('compliance.withdraw_reason')}<input name="reason" required maxlength="1000"></label>
                <button type="submit">${t('compliance.withdraw')}</button></form></td>
            </tr>`)}</tbody>
          </table>`}
      <form data-testid="evidence-form" @submit=${(e: SubmitEvent) => void this.addEvidence(e)}>
        <h3>${t('compliance.add_evidence')}</h3>
        <label>${t('compliance.item')}<select name="item" required>${items.map((i) => html`<option value=${i.id}>${i.id} — ${currentLang() === 'ja' ? i.summary_ja.slice(0, 40) : i.summary_en.slice(0, 60)}</option>`)}</select></label>
        <label>${t('compliance.title_field')}<input name="title" required maxlength="200"></label>
        <label>${t('compliance.owner')}<input name="owner" required maxlength="100"></label>
        <label>${t('compliance.dated')}<input name="dated" type="date" required></label>
        <label>${t('compliance.review_by')}<input name="review_by" type="date" required></label>
        <label>${t('compliance.files')}<input name="files" type="file" multiple accept=".pdf,.png,.jpg,.jpeg,.txt,.csv,.md,application/pdf,image/png,image/jpeg,text/plain"></label>
        <label>${t('compliance.note')}<textarea name="note" maxlength="4000"></textarea></label>
        <label><input type="checkbox" name="not_applicable" value="1"> ${t('compliance.not_applicable_box')}</label>
        ${errorBox(this.errors.add, 'evidence-add-error')}
        <button type="submit">${t('compliance.record')}</button>
      </form>
    </section>`;
  }

  override render() {
    return html`
      <h1>${t('compliance.title')}</h1>
      ${this.message ? html`<p class="notice" role="status" data-testid="compliance-message">${this.message}</p>` : nothing}
      ${this.reportForm()}
      ${this.items()}
      ${this.register()}
    `;
  }
}

customElements.define('page-compliance', CompliancePage);
