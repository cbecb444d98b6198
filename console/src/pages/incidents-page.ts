// Incidents (G3.1), for security officers (and auditors, who read): the containment measures in
// force with their end; a new incident with the measures to take at once (incident mode); the
// register; and an incident's page (/incidents/ID) with its timeline, what was reported and to
// whom, the report's fields, one more measure, its evidence bundle (G3.1-b), and its close. Every step is an audited command
// on the server; the screen follows the live view (incident events are alerts).
import { html, nothing } from 'lit';
import { api, seg, type FileAnswer } from '../lib/api';
import { formatTime, t } from '../lib/i18n';
import { LivePage } from '../lib/page';
import { navigate } from '../lib/router';
import { can } from '../lib/session';
import { errorBox } from '../components/error-box';

interface Incident {
  id: number;
  opened: string;
  opened_by: string;
  severity: string;
  summary: string;
  state: string;
  closed: string | null;
  report: Record<string, string>;
  timeline?: { at: string; kind: string; text: string; by: string }[];
}
interface MeasureInForce {
  measure: string;
  incident: number;
  since: string;
  by: string;
  reason: string;
}

const MEASURES = ['sessions', 'tokens', 'vendors', 'listener', 'freeze', 'operations'];
const REPORT_FIELDS = ['occurred', 'detected_how', 'affected_systems', 'operations_impact', 'cause',
  'data_affected', 'measures', 'reported_to'];
const ENTRY_KINDS = ['reported', 'notified', 'recovered', 'note', 'detected'];

export class IncidentsPage extends LivePage {
  protected readonly topics = ['alerts'];
  private incidents: Incident[] = [];
  private inForce: MeasureInForce[] = [];
  private current: Incident | null = null;

  private get wantedId(): number {
    const m = /^\/incidents\/(\d+)$/.exec(location.pathname);
    return m ? Number(m[1]) : 0;
  }

  protected async load(): Promise<void> {
    const id = this.wantedId;
    await Promise.all([
      this.loadPart('measures', () => api.get<{ measures: MeasureInForce[] }>('/api/v1/containment'), (v) => (this.inForce = v.measures)),
      id
        ? this.loadPart('incident', () => api.get<Incident>(`/api/v1/incidents/${seg(id)}`), (v) => (this.current = v))
        : this.loadPart('list', () => api.get<{ incidents: Incident[] }>('/api/v1/incidents'), (v) => (this.incidents = v.incidents)),
    ]);
    this.requestUpdate();
  }

  private field(event: SubmitEvent, name: string): string {
    return String(new FormData(event.target as HTMLFormElement).get(name) ?? '').trim();
  }

  private async openIncident(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const d = new FormData(form);
    const body = {
      severity: String(d.get('severity')),
      summary: String(d.get('summary') ?? '').trim(),
      contain: d.getAll('contain').map(String),
    };
    let opened = 0;
    await this.act('open', async () => {
      opened = (await api.post<Incident>('/api/v1/incidents', body)).id;
    }, t('incidents.opened'), form);
    if (opened) navigate(`/incidents/${opened}`);
  }

  private async release(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const measure = this.field(event, 'measure');
    await this.act('measures', () => api.post('/api/v1/containment/release', { measure, reason: this.field(event, 'reason') }),
      t('incidents.released', { measure: t(`incidents.measure.${measure}`) }), event.target as HTMLFormElement);
  }

  private async contain(event: SubmitEvent, id: number): Promise<void> {
    event.preventDefault();
    const measure = this.field(event, 'measure');
    await this.act('incident', () => api.post(`/api/v1/incidents/${seg(id)}/measures`, { measure, reason: this.field(event, 'reason') }),
      t('incidents.contained', { measure: t(`incidents.measure.${measure}`) }), event.target as HTMLFormElement);
  }

  private async addEntry(event: SubmitEvent, id: number): Promise<void> {
    event.preventDefault();
    await this.act('incident', () => api.post(`/api/v1/incidents/${seg(id)}/entries`, { kind: this.field(event, 'kind'), text: this.field(event, 'text') }),
      t('incidents.recorded'), event.target as HTMLFormElement);
  }

  private async saveReport(event: SubmitEvent, id: number): Promise<void> {
    event.preventDefault();
    const body: Record<string, string> = {};
    for (const f of REPORT_FIELDS) body[f] = this.field(event, f);
    await this.act('report', () => api.put(`/api/v1/incidents/${seg(id)}/report`, body), t('incidents.report_saved'));
  }

  // G3.1-b: the signed evidence bundle of a time range (empty: the server's defaults), saved
  // as a download.
  private async evidence(event: SubmitEvent, id: number): Promise<void> {
    event.preventDefault();
    const iso = (name: string) => {
      const v = this.field(event, name);
      return v ? new Date(v).toISOString().replace(/\.\d{3}Z$/, 'Z') : undefined;
    };
    let made: FileAnswer | null = null;
    await this.act('evidence', async () => {
      made = await api.postForFile(`/api/v1/incidents/${seg(id)}/evidence`, { from: iso('from'), to: iso('to') });
    }, '');
    if (made) {
      const got: FileAnswer = made;
      this.message = t('incidents.evidence_made', { file: got.filename, kb: Math.ceil(got.blob.size / 1024) });
      this.requestUpdate();
    }
  }

  private async closeIncident(event: SubmitEvent, id: number): Promise<void> {
    event.preventDefault();
    await this.act('incident', () => api.post(`/api/v1/incidents/${seg(id)}/close`, { reason: this.field(event, 'reason') }),
      t('incidents.closed_msg', { id }), event.target as HTMLFormElement);
  }

  private measuresInForce() {
    const manage = can('incident.manage');
    return html`<section class="card" aria-labelledby="force-title">
      <h2 id="force-title">${t('incidents.in_force')}</h2>
      ${errorBox(this.errors.measures, 'measures-error')}
      ${this.inForce.length === 0
        ? html`<p data-testid="no-measures">${t('incidents.none_in_force')}</p>`
        : html`<table data-testid="measures">
            <thead><tr><th>${t('incidents.measure_col')}</th><th>${t('incidents.incident')}</th><th>${t('incidents.since')}</th>
              <th>${t('incidents.by')}</th><th>${t('fields.reason')}</th></tr></thead>
            <tbody>${this.inForce.map((m) => html`<tr class="bad" data-measure=${m.measure}>
              <td>${t(`incidents.measure.${m.measure}`)}</td><td><a href="/incidents/${m.incident}">${m.incident}</a></td>
              <td>${formatTime(m.since, true)}</td><td>${m.by}</td><td>${m.reason}</td></tr>`)}</tbody>
          </table>
          ${manage
            ? html`<form class="row" @submit=${(e: SubmitEvent) => void this.release(e)} data-testid="release-form">
                <label>${t('incidents.measure_col')}
                  <select name="measure">${this.inForce.map((m) => html`<option value=${m.measure}>${t(`incidents.measure.${m.measure}`)}</option>`)}</select></label>
                <label>${t('fields.reason')}<input name="reason" required maxlength="2000"></label>
                <button type="submit">${t('incidents.release')}</button>
              </form>`
            : nothing}`}
    </section>`;
  }

  private register() {
    return html`
      ${can('incident.manage')
        ? html`<form class="card" @submit=${(e: SubmitEvent) => void this.openIncident(e)} data-testid="open-form">
            <h2>${t('incidents.open_title')}</h2>
            <label>${t('incidents.severity')}
              <select name="severity">${['critical', 'high', 'medium', 'low'].map((s) => html`<option value=${s}>${t(`incidents.sev.${s}`)}</option>`)}</select></label>
            <label>${t('incidents.summary')}<input name="summary" required maxlength="500"></label>
            <fieldset>
              <legend>${t('incidents.contain_now')}</legend>
              ${MEASURES.map((m) => html`<label class="inline"><input type="checkbox" name="contain" value=${m}>
                ${t(`incidents.measure.${m}`)} — <span class="hint">${t(`incidents.explain.${m}`)}</span></label>`)}
            </fieldset>
            ${errorBox(this.errors.open, 'open-error')}
            <button type="submit" class="primary">${t('incidents.open')}</button>
          </form>`
        : nothing}
      <section class="card" aria-labelledby="register-title">
        <h2 id="register-title">${t('incidents.register')}</h2>
        ${errorBox(this.errors.list, 'list-error')}
        ${this.incidents.length === 0
          ? html`<p>${t('incidents.no_incidents')}</p>`
          : html`<table data-testid="incidents">
              <thead><tr><th>#</th><th>${t('incidents.opened_at')}</th><th>${t('incidents.severity')}</th>
                <th>${t('incidents.state_col')}</th><th>${t('incidents.summary')}</th></tr></thead>
              <tbody>${this.incidents.map((i) => html`<tr><td><a href="/incidents/${i.id}">${i.id}</a></td>
                <td>${formatTime(i.opened)}</td><td>${t(`incidents.sev.${i.severity}`)}</td>
                <td>${t(`incidents.state.${i.state}`)}</td><td>${i.summary}</td></tr>`)}</tbody>
            </table>`}
      </section>`;
  }

  private detail(i: Incident) {
    const open = i.state !== 'closed' && can('incident.manage');
    return html`
      <p><a href="/incidents">${t('incidents.back')}</a></p>
      <section class="card" data-testid="incident">
        <h2>${t('incidents.title_one', { id: i.id })}: ${i.summary}</h2>
        <p>${t(`incidents.sev.${i.severity}`)} · <strong data-testid="incident-state">${t(`incidents.state.${i.state}`)}</strong>
          · ${t('incidents.opened_by', { who: i.opened_by, time: formatTime(i.opened) })}</p>
        ${errorBox(this.errors.incident, 'incident-error')}
        <h3>${t('incidents.timeline')}</h3>
        <table data-testid="timeline">
          <thead><tr><th>${t('audit.when')}</th><th>${t('incidents.kind')}</th><th>${t('incidents.text')}</th><th>${t('incidents.by')}</th></tr></thead>
          <tbody>${(i.timeline ?? []).map((e) => html`<tr data-kind=${e.kind}><td>${formatTime(e.at, true)}</td>
            <td>${t(`incidents.entry.${e.kind}`)}</td><td>${e.text}</td><td>${e.by}</td></tr>`)}</tbody>
        </table>
        ${open
          ? html`<form class="row" @submit=${(e: SubmitEvent) => void this.addEntry(e, i.id)} data-testid="entry-form">
              <label>${t('incidents.kind')}
                <select name="kind">${ENTRY_KINDS.map((k) => html`<option value=${k}>${t(`incidents.entry.${k}`)}</option>`)}</select></label>
              <label>${t('incidents.text')}<input name="text" required maxlength="2000"></label>
              <button type="submit">${t('incidents.record')}</button>
            </form>
            <form class="row" @submit=${(e: SubmitEvent) => void this.contain(e, i.id)} data-testid="contain-form">
              <label>${t('incidents.measure_col')}
                <select name="measure">${MEASURES.map((m) => html`<option value=${m}>${t(`incidents.measure.${m}`)}</option>`)}</select></label>
              <label>${t('fields.reason')}<input name="reason" required maxlength="2000"></label>
              <button type="submit">${t('incidents.contain')}</button>
            </form>`
          : nothing}
      </section>
      <form class="card" @submit=${(e: SubmitEvent) => void this.saveReport(e, i.id)} data-testid="report-form">
        <h2>${t('incidents.report')}</h2>
        ${REPORT_FIELDS.map((f) => html`<label>${t(`incidents.field.${f}`)}
          <textarea name=${f} maxlength="2000" rows="2" ?readonly=${!open} .value=${i.report[f] ?? ''}></textarea></label>`)}
        ${errorBox(this.errors.report, 'report-error')}
        ${open ? html`<button type="submit">${t('incidents.save_report')}</button>` : nothing}
      </form>
      ${can('incident.manage') || can('audit.log')
        ? html`<form class="card" @submit=${(e: SubmitEvent) => void this.evidence(e, i.id)} data-testid="evidence-form">
            <h2>${t('incidents.evidence')}</h2>
            <p class="hint">${t('incidents.evidence_hint')}</p>
            <div class="row">
              <label>${t('incidents.evidence_from')}<input type="datetime-local" name="from"></label>
              <label>${t('incidents.evidence_to')}<input type="datetime-local" name="to"></label>
            </div>
            ${errorBox(this.errors.evidence, 'evidence-error')}
            <button type="submit">${t('incidents.evidence_make')}</button>
          </form>`
        : nothing}
      ${open
        ? html`<form class="card row" @submit=${(e: SubmitEvent) => void this.closeIncident(e, i.id)} data-testid="close-form">
            <label>${t('incidents.close_reason')}<input name="reason" required maxlength="2000"></label>
            <button type="submit">${t('incidents.close')}</button>
          </form>`
        : nothing}`;
  }

  override render() {
    return html`
      <h1>${t('incidents.title')}</h1>
      ${this.message ? html`<p class="notice" role="status" data-testid="incidents-message">${this.message}</p>` : nothing}
      ${this.measuresInForce()}
      ${this.wantedId ? (this.current ? this.detail(this.current) : nothing) : this.register()}
    `;
  }
}

customElements.define('page-incidents', IncidentsPage);
