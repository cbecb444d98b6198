// EDI import (G2.7.1-c/d): a file from a shipping line is uploaded, taken in by the media
// intake (quarantined, hashed, typed, scanned for malware, recorded) and previewed — what it
// holds, what an import would make of it, what it would reject and why — before the planner
// imports it against a vessel visit, in one audited transaction. Recent intake records below.
import { html, nothing } from 'lit';
import { api, FileBody } from '../lib/api';
import { formatNumber, formatTime, t } from '../lib/i18n';
import { Page } from '../lib/page';
import { errorBox } from '../components/error-box';

interface Diagnostic {
  code: string;
  message: string;
  line: number;
  segment: number;
}
interface Inspection {
  this_intake_id: number;
  sha256: string;
  warnings: string[];
  inspection: {
    file: string;
    bytes: number;
    messages: number;
    message_list: { type: string; reference: string; vessel_name: string; voyage: string; units: number }[];
    containers: number;
    positions: number;
    warning_count: number;
    error_count: number;
    warnings: Diagnostic[];
    errors: Diagnostic[];
    import: { units: number; rejected_count: number; rejected: { container: string; reason: string; line: number }[] };
  };
}
interface ImportReport {
  kind: string;
  visit_id: string;
  already_imported: boolean;
  created: number;
  updated: number;
  rejected: number;
  on_board: number;
  differs: number;
  matches: number;
  lines: { container: string; outcome: string; detail: string; line: number }[];
  warnings: string[];
}
interface Visit {
  id: string;
  vessel_name: string;
  phase: string;
}
interface Intake {
  id: number;
  received: string;
  received_by: string;
  file_name: string;
  bytes: number;
  verdict: string;
  file_type: string;
  signature: string;
}

// Sends the file's bytes as the body, as the API takes files.
async function upload<T>(path: string, file: File): Promise<T> {
  return api.post<T>(path, new FileBody(await file.arrayBuffer(), 'application/edifact'), {
    headers: { 'X-File-Name': file.name.replace(/[^\x20-\x7e]/g, '_').slice(0, 200) },
  });
}

export class EdiPage extends Page {
  private file: File | null = null;
  private preview: Inspection | null = null;
  private report: ImportReport | null = null;
  private visits: Visit[] = [];
  private intake: Intake[] = [];
  private error: unknown = null;
  private busy = false;

  override connectedCallback(): void {
    super.connectedCallback();
    void this.loadLists();
  }

  private async loadLists(): Promise<void> {
    try {
      const [v, i] = await Promise.all([
        api.get<{ vessel_visits: Visit[] }>('/api/v1/vessel-visits'),
        api.get<{ intake: Intake[] }>('/api/v1/edi/intake?limit=20'),
      ]);
      this.visits = v.vessel_visits.filter((x) => x.phase !== 'departed');
      this.intake = i.intake;
    } catch (e) {
      this.error = e;
    }
    this.requestUpdate();
  }

  private async inspect(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const d = new FormData(event.target as HTMLFormElement);
    const file = d.get('file');
    if (!(file instanceof File) || file.size === 0) return;
    this.file = file;
    this.preview = null;
    this.report = null;
    this.error = null;
    this.busy = true;
    this.requestUpdate();
    try {
      const strictness = String(d.get('strictness') ?? 'lenient');
      this.preview = await upload<Inspection>(`/api/v1/edi/inspections?strictness=${strictness}`, file);
    } catch (e) {
      this.error = e;
    } finally {
      this.busy = false;
      await this.loadLists();
    }
  }

  private async import(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    if (!this.file) return;
    const d = new FormData(event.target as HTMLFormElement);
    const q = new URLSearchParams({ strictness: String(d.get('strictness') ?? 'lenient') });
    const visit = String(d.get('visit') ?? '');
    if (visit) q.set('visit', visit);
    const port = String(d.get('port') ?? '').trim().toUpperCase();
    if (port) q.set('port', port);
    this.busy = true;
    this.error = null;
    this.requestUpdate();
    try {
      this.report = await upload<ImportReport>(`/api/v1/edi/imports?${q}`, this.file);
    } catch (e) {
      this.error = e;
    } finally {
      this.busy = false;
      await this.loadLists();
    }
  }

  override render() {
    const p = this.preview;
    const r = this.report;
    return html`
      <h1>${t('edi.title')}</h1>
      <section class="card">
        <h2>${t('edi.step_upload')}</h2>
        <form class="row" @submit=${(e: SubmitEvent) => void this.inspect(e)}>
          <label>${t('edi.file')}<input type="file" name="file" required accept=".edi,.txt,.edifact,text/plain"></label>
          <label>${t('edi.strictness')}
            <select name="strictness"><option value="lenient">${t('edi.lenient')}</option><option value="strict">${t('edi.strict')}</option></select>
          </label>
          <button type="submit" class="primary" ?disabled=${this.busy}>${t('edi.inspect')}</button>
        </form>
        <p class="hint">${t('edi.intake_help')}</p>
      </section>
      ${errorBox(this.error, 'edi-error')}
      ${p
        ? html`<section class="card" data-testid="edi-preview">
            <h2>${t('edi.step_preview')}</h2>
            <p role="status">${t('edi.taken_in', { id: p.this_intake_id, sha: p.sha256.slice(0, 16) })}</p>
            ${p.warnings.map((w) => html`<p class="notice" lang="en">${w}</p>`)}
            <p>${t('edi.holds', {
              messages: formatNumber(p.inspection.messages),
              containers: formatNumber(p.inspection.containers),
              positions: formatNumber(p.inspection.positions),
            })}</p>
            <ul>${p.inspection.message_list.map(
              (m) => html`<li>${m.type} ${m.reference} ${m.vessel_name} ${m.voyage} (${formatNumber(m.units)})</li>`,
            )}</ul>
            <p data-testid="edi-would">${t('edi.would', {
              units: formatNumber(p.inspection.import.units),
              rejected: formatNumber(p.inspection.import.rejected_count),
              errors: formatNumber(p.inspection.error_count),
              warnings: formatNumber(p.inspection.warning_count),
            })}</p>
            ${p.inspection.import.rejected.length
              ? html`<table><caption>${t('edi.rejected')}</caption>
                  <thead><tr><th>${t('edi.line')}</th><th>${t('unit.container')}</th><th>${t('edi.reason')}</th></tr></thead>
                  <tbody>${p.inspection.import.rejected.slice(0, 50).map(
                    (x) => html`<tr><td>${x.line}</td><td>${x.container}</td><td lang="en">${x.reason}</td></tr>`,
                  )}</tbody></table>`
              : nothing}
            ${[...p.inspection.errors, ...p.inspection.warnings].length
              ? html`<table><caption>${t('edi.diagnostics')}</caption>
                  <thead><tr><th>${t('edi.line')}</th><th>${t('edi.code')}</th><th>${t('edi.reason')}</th></tr></thead>
                  <tbody>${[...p.inspection.errors, ...p.inspection.warnings].slice(0, 50).map(
                    (x) => html`<tr><td>${x.line}</td><td>${x.code}</td><td lang="en">${x.message}</td></tr>`,
                  )}</tbody></table>`
              : nothing}
            <h2>${t('edi.step_import')}</h2>
            <form class="row" @submit=${(e: SubmitEvent) => void this.import(e)}>
              <label>${t('fields.visit')}
                <select name="visit">
                  <option value="">${t('edi.no_visit')}</option>
                  ${this.visits.map((v) => html`<option value=${v.id}>${v.id} ${v.vessel_name}</option>`)}
                </select>
              </label>
              <label>${t('edi.port')}<input name="port" maxlength="5" placeholder="JPNGO" autocomplete="off"></label>
              <label>${t('edi.strictness')}
                <select name="strictness"><option value="lenient">${t('edi.lenient')}</option><option value="strict">${t('edi.strict')}</option></select>
              </label>
              <button type="submit" class="primary" ?disabled=${this.busy}>${t('edi.import')}</button>
            </form>
          </section>`
        : nothing}
      ${r
        ? html`<section class="card ok" role="status" data-testid="edi-report">
            <h2>${r.already_imported ? t('edi.already') : t('edi.imported', { kind: r.kind })}</h2>
            <p>${t('edi.counts', {
              created: formatNumber(r.created), updated: formatNumber(r.updated), rejected: formatNumber(r.rejected),
              on_board: formatNumber(r.on_board), matches: formatNumber(r.matches), differs: formatNumber(r.differs),
            })}</p>
            <table>
              <thead><tr><th>${t('edi.line')}</th><th>${t('unit.container')}</th><th>${t('edi.outcome')}</th><th>${t('edi.reason')}</th></tr></thead>
              <tbody>${r.lines.slice(0, 100).map(
                (x) => html`<tr><td>${x.line}</td><td>${x.container}</td><td>${x.outcome}</td><td lang="en">${x.detail}</td></tr>`,
              )}</tbody>
            </table>
          </section>`
        : nothing}
      <section class="card">
        <h2>${t('edi.recent')}</h2>
        <table data-testid="intake">
          <thead><tr><th>#</th><th>${t('audit.when')}</th><th>${t('edi.file')}</th><th>${t('edi.size')}</th>
            <th>${t('edi.type')}</th><th>${t('edi.verdict')}</th><th>${t('unit.by')}</th></tr></thead>
          <tbody>${this.intake.map(
            (i) => html`<tr class=${i.verdict === 'clean' || i.verdict === 'verified' ? '' : 'bad'}>
              <td>${i.id}</td><td>${formatTime(i.received)}</td><td>${i.file_name}</td><td>${formatNumber(i.bytes)}</td>
              <td>${i.file_type}</td><td>${i.verdict}${i.signature ? ` (${i.signature})` : ''}</td><td>${i.received_by}</td></tr>`,
          )}</tbody>
        </table>
      </section>
    `;
  }
}

customElements.define('page-edi', EdiPage);
