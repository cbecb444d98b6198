// The gate: a truck's appointment checked, then the gate-in (a unit delivered to the terminal)
// or the gate-out (a unit collected) — with the checks the API makes repeated here for quick
// feedback (the container number's check digit), the API's refusals shown field by field, and
// one Idempotency-Key per submission, so a double click or a retry after a lost answer is one
// gate transaction. The EIR of each transaction opens for printing. Beside it, the gate queue
// (components/gate-queue.ts): a truck taken from it ties the transaction to its visit.
import { html, nothing } from 'lit';
import { api, ApiError, newIdempotencyKey, seg } from '../lib/api';
import { containerProblem, normaliseContainer } from '../lib/container';
import { formatTime, t } from '../lib/i18n';
import { Page } from '../lib/page';
import type { Appointment } from '../lib/appointment';
import { errorBox } from '../components/error-box';
import { label, type Unit } from '../components/unit-card';
import '../components/gate-queue';
import type { TruckVisit } from '../components/gate-queue';

interface GateResult {
  gate_id: number;
  unit: Unit;
}
type Direction = 'in' | 'out';

const sizeTypes = ['22G1', '42G1', '45G1', '22R1', '45R1', '22T6', '22U1', '42U1'];

export class GatePage extends Page {
  private direction: Direction = 'in';
  private describe = false;
  private busy = false;
  private key = ''; // the Idempotency-Key of the submission in progress (kept for its retries)
  private result: GateResult | null = null;
  private error: unknown = null;
  private local: Record<string, string> = {}; // field -> message key, checked here
  private appointment: Appointment | null = null;
  private appointmentError: unknown = null;
  private serving: TruckVisit | null = null; // the queued truck this transaction is for

  private pick(d: Direction): void {
    this.direction = d;
    this.result = null;
    this.error = null;
    this.local = {};
    this.key = '';
    this.requestUpdate();
  }

  // Any edit makes the next submission a new transaction.
  private edited(): void {
    this.key = '';
  }

  private async checkAppointment(): Promise<void> {
    const input = this.querySelector<HTMLInputElement>('input[name=appointment]');
    const id = input?.value.trim() ?? '';
    this.appointment = null;
    this.appointmentError = null;
    if (!/^[0-9]{1,18}$/.test(id)) {
      this.appointmentError = new ApiError(400, 'invalid_argument', t('gate.appointment_number'), 'appointment');
      this.requestUpdate();
      return;
    }
    try {
      this.appointment = await api.get<Appointment>(`/api/v1/gate/appointments/${seg(id)}`);
      const form = this.querySelector<HTMLFormElement>('form.gate');
      if (form && this.appointment.container_id) {
        (form.elements.namedItem('container_id') as HTMLInputElement).value = this.appointment.container_id;
        (form.elements.namedItem('truck_plate') as HTMLInputElement).value = this.appointment.truck_plate;
      }
    } catch (e) {
      this.appointmentError = e;
    }
    this.requestUpdate();
  }

  private body(data: FormData): Record<string, unknown> | null {
    const text = (name: string) => String(data.get(name) ?? '').trim();
    this.local = {};
    const container = normaliseContainer(text('container_id'));
    const problem = containerProblem(container);
    if (problem) this.local.container_id = problem;
    // As the terminal records plates (terminal/gate_transaction.h): Latin letters, digits,
    // spaces and '-', up to 16.
    if (!text('truck_plate')) this.local.truck_plate = 'gate.required';
    else if (!/^[A-Za-z0-9 -]{1,16}$/.test(text('truck_plate'))) this.local.truck_plate = 'gate.plate';
    const body: Record<string, unknown> = { container_id: container, truck_plate: text('truck_plate') };
    const appointment = text('appointment');
    if (appointment) body.appointment = Number(appointment);
    if (this.serving) body.truck_visit = this.serving.id;
    if (this.direction === 'in') {
      if (text('slot')) body.slot = text('slot').toUpperCase();
      if (this.describe) {
        body.size_type = text('size_type');
        body.category = text('category');
        body.freight = text('freight');
        body.line_operator = text('line_operator').toUpperCase();
        const kg = Number(text('gross_kg'));
        if (!Number.isInteger(kg) || kg < 0) this.local.gross_kg = 'gate.weight';
        body.gross_kg = kg;
        if (text('booking')) body.booking = text('booking');
        const seals = text('seals').split(/[\s,]+/).filter(Boolean);
        if (seals.length) body.seals = seals;
      }
    } else if (text('pin')) {
      body.pin = text('pin');
    }
    return Object.keys(this.local).length ? null : body;
  }

  // A truck taken from the queue: its plate goes into the form and its visit with the request.
  private serve(v: TruckVisit): void {
    this.serving = v;
    this.edited();
    const plate = this.querySelector<HTMLInputElement>('form.gate input[name=truck_plate]');
    if (plate) plate.value = v.truck_plate;
    this.requestUpdate();
    this.querySelector<HTMLInputElement>('form.gate input[name=container_id]')?.focus();
  }

  private async submit(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    if (this.busy) return; // a second click while the first is on its way
    const body = this.body(new FormData(event.target as HTMLFormElement));
    this.error = null;
    this.result = null;
    if (!body) {
      this.requestUpdate();
      return;
    }
    this.key ||= newIdempotencyKey();
    this.busy = true;
    this.requestUpdate();
    try {
      this.result = await api.post<GateResult>(`/api/v1/gate/${this.direction}`, body, {
        idempotencyKey: this.key,
      });
      this.key = '';
      (event.target as HTMLFormElement).reset();
      this.describe = false;
      this.appointment = null;
      this.serving = null;
    } catch (e) {
      this.error = e;
    } finally {
      this.busy = false;
      this.requestUpdate();
    }
  }

  // The field the API or the local check names, for aria-invalid and the message under it.
  private invalid(field: string): boolean {
    return !!this.local[field] || (this.error instanceof ApiError && this.error.field === field);
  }

  private fieldProblem(field: string) {
    return this.local[field]
      ? html`<span class="field-error" id="${field}-problem">${t(this.local[field])}</span>`
      : nothing;
  }

  private input(name: string, labelKey: string, extra: { maxlength?: number; required?: boolean; inputmode?: string } = {}) {
    return html`<label>${t(labelKey)}
      <input name=${name} maxlength=${extra.maxlength ?? 32} ?required=${!!extra.required}
        inputmode=${extra.inputmode ?? 'text'} autocomplete="off" spellcheck="false"
        aria-invalid=${this.invalid(name) ? 'true' : 'false'} aria-describedby="${name}-problem"
        @input=${() => this.edited()}>
      ${this.fieldProblem(name)}
    </label>`;
  }

  override render() {
    const d = this.direction;
    const r = this.result;
    return html`
      <h1>${t('gate.title')}</h1>
      <div class="split">
      <div>
      <div class="tabs" role="group" aria-label=${t('gate.direction')}>
        <button type="button" aria-pressed=${d === 'in'} @click=${() => this.pick('in')} data-testid="tab-in">${t('gate.in')}</button>
        <button type="button" aria-pressed=${d === 'out'} @click=${() => this.pick('out')} data-testid="tab-out">${t('gate.out')}</button>
      </div>

      <section class="card">
        <h2>${t('gate.appointment')}</h2>
        <div class="row">
          ${this.input('appointment', 'fields.appointment', { maxlength: 18, inputmode: 'numeric' })}
          <button type="button" @click=${() => void this.checkAppointment()}>${t('gate.check_appointment')}</button>
        </div>
        ${this.appointment
          ? html`<p data-testid="appointment">${t('gate.appointment_found', {
              id: this.appointment.id,
              from: formatTime(this.appointment.slot_start),
              to: formatTime(this.appointment.slot_end),
              direction: t(`gate.${this.appointment.direction === 'in' ? 'in' : 'out'}`),
              container: this.appointment.container_id || '—',
              truck: this.appointment.truck_plate || '—',
              state: this.appointment.state,
            })}</p>`
          : nothing}
        ${errorBox(this.appointmentError, 'appointment-error')}
      </section>

      <form class="card gate" @submit=${(e: SubmitEvent) => void this.submit(e)} novalidate data-testid="gate-form">
        <h2>${t(d === 'in' ? 'gate.in_title' : 'gate.out_title')}</h2>
        ${this.serving
          ? html`<p class="row" data-testid="serving">${t('queue.serving', { plate: this.serving.truck_plate, id: this.serving.id })}
              <button type="button" @click=${() => { this.serving = null; this.edited(); this.requestUpdate(); }}>${t('queue.not_this')}</button></p>`
          : nothing}
        ${this.input('container_id', 'fields.container_id', { maxlength: 13, required: true })}
        ${this.input('truck_plate', 'fields.truck_plate', { maxlength: 16, required: true })}
        ${d === 'in'
          ? html`${this.input('slot', 'fields.slot', { maxlength: 16 })}
              <label class="inline"><input type="checkbox" .checked=${this.describe}
                @change=${(e: Event) => { this.describe = (e.target as HTMLInputElement).checked; this.edited(); this.requestUpdate(); }}>
                ${t('gate.describe')}</label>
              ${this.describe
                ? html`<fieldset>
                    <legend>${t('gate.unit')}</legend>
                    <label>${t('fields.size_type')}
                      <select name="size_type">${sizeTypes.map((s) => html`<option>${s}</option>`)}</select>
                    </label>
                    <label>${t('fields.category')}
                      <select name="category">${['export', 'import', 'storage', 'empty', 'tranship'].map(
                        (c) => html`<option value=${c}>${label('categories', c)}</option>`)}</select>
                    </label>
                    <label>${t('fields.freight')}
                      <select name="freight">${['full', 'empty'].map((c) => html`<option value=${c}>${label('freight', c)}</option>`)}</select>
                    </label>
                    ${this.input('line_operator', 'fields.line_operator', { maxlength: 6, required: true })}
                    ${this.input('gross_kg', 'fields.gross_kg', { maxlength: 6, required: true, inputmode: 'numeric' })}
                    ${this.input('booking', 'fields.booking', { maxlength: 35 })}
                    ${this.input('seals', 'fields.seals', { maxlength: 140 })}
                  </fieldset>`
                : nothing}`
          : this.input('pin', 'fields.pin', { maxlength: 12, inputmode: 'numeric' })}
        <button type="submit" class="primary" ?disabled=${this.busy} data-testid="gate-submit">
          ${t(d === 'in' ? 'gate.submit_in' : 'gate.submit_out')}</button>
      </form>
      ${errorBox(this.error, 'gate-error')}
      ${r
        ? html`<section class="card ok" role="status" data-testid="gate-result">
            <h2>${t('gate.done', { id: r.gate_id })}</h2>
            <p>${t(d === 'in' ? 'gate.placed' : 'gate.left', {
              container: r.unit.container_id,
              slot: r.unit.slot ?? '—',
            })}</p>
            <p class="row">
              <a href="/api/v1/gate/transactions/${r.gate_id}/eir" target="_blank" rel="noopener" data-testid="eir-link">${t('gate.eir')}</a>
              <a href="/api/v1/gate/transactions/${r.gate_id}/eir?format=pdf" download>${t('gate.eir_pdf')}</a>
              <a href="/units/${r.unit.container_id}">${t('gate.see_unit')}</a>
            </p>
          </section>`
        : nothing}
      </div>
      <gate-queue @serve=${(e: CustomEvent<TruckVisit>) => this.serve(e.detail)}></gate-queue>
      </div>
    `;
  }
}

customElements.define('page-gate', GatePage);
