// Appointments (the gate's plan): the slots of the coming day with their capacity and how many
// trucks are booked; a planner defines slots over a period; a gate clerk (or a haulier's
// client) books a truck for a container in a slot, or cancels a booking. The gate checks
// appointments at the truck's arrival (screen Gate).
import { html, nothing } from 'lit';
import { api, newIdempotencyKey, seg } from '../lib/api';
import { containerProblem, normaliseContainer } from '../lib/container';
import { formatClock, formatNumber, formatTime, t, terminalLocalToUtc } from '../lib/i18n';
import { Page } from '../lib/page';
import { can } from '../lib/session';
import type { Appointment } from '../lib/appointment';
import { errorBox } from '../components/error-box';

interface Slot {
  start: string;
  end: string;
  capacity: number;
  booked: number;
  free: number;
}

export class AppointmentsPage extends Page {
  private slots: Slot[] = [];
  private booked: Appointment | null = null;
  private error: unknown = null;
  private formError: unknown = null;
  private message = '';
  private problem = '';

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load(): Promise<void> {
    try {
      this.slots = (await api.get<{ slots: Slot[] }>('/api/v1/gate/slots')).slots;
    } catch (e) {
      this.error = e;
    }
    this.requestUpdate();
  }

  private async define(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const d = new FormData(event.target as HTMLFormElement);
    this.formError = null;
    try {
      await api.put(
        '/api/v1/gate/slots',
        {
          from: terminalLocalToUtc(String(d.get('from'))),
          to: terminalLocalToUtc(String(d.get('to'))),
          minutes: Number(d.get('minutes')),
          capacity: Number(d.get('capacity')),
        },
        { idempotencyKey: newIdempotencyKey() },
      );
      this.message = t('appointments.defined');
      await this.load();
    } catch (e) {
      this.formError = e;
      this.requestUpdate();
    }
  }

  private async book(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const d = new FormData(event.target as HTMLFormElement);
    const cid = normaliseContainer(String(d.get('container_id') ?? ''));
    this.problem = containerProblem(cid);
    this.formError = null;
    this.booked = null;
    if (this.problem) {
      this.requestUpdate();
      return;
    }
    try {
      this.booked = await api.post<Appointment>(
        '/api/v1/gate/appointments',
        {
          slot: String(d.get('slot')),
          direction: String(d.get('direction')),
          container_id: cid,
          truck_plate: String(d.get('truck_plate') ?? '').trim(),
          // A haulier's own client books for itself (its scope); terminal staff name the haulier.
          ...(String(d.get('haulier') ?? '').trim() ? { haulier: String(d.get('haulier')).trim().toUpperCase() } : {}),
        },
        { idempotencyKey: newIdempotencyKey() },
      );
      await this.load();
    } catch (e) {
      this.formError = e;
      this.requestUpdate();
    }
  }

  private async cancel(id: number): Promise<void> {
    try {
      await api.del(`/api/v1/gate/appointments/${seg(id)}`);
      this.message = t('appointments.cancelled', { id });
      this.booked = null;
      await this.load();
    } catch (e) {
      this.formError = e;
      this.requestUpdate();
    }
  }

  override render() {
    const open = this.slots.filter((s) => s.free > 0);
    return html`
      <h1>${t('appointments.title')}</h1>
      ${this.message ? html`<p class="notice" role="status">${this.message}</p>` : nothing}
      ${errorBox(this.error)}
      ${can('gate.appointment')
        ? html`<section class="card">
            <h2>${t('appointments.book')}</h2>
            <form class="row" @submit=${(e: SubmitEvent) => void this.book(e)}>
              <label>${t('appointments.slot')}
                <select name="slot" required>${open.map(
                  (s) => html`<option value=${s.start}>${formatTime(s.start)}–${formatClock(Date.parse(s.end))} (${t('appointments.free_n', { n: s.free })})</option>`,
                )}</select>
              </label>
              <label>${t('gate.direction')}
                <select name="direction"><option value="in">${t('gate.in')}</option><option value="out">${t('gate.out')}</option></select>
              </label>
              <label>${t('fields.container_id')}<input name="container_id" required maxlength="13" autocomplete="off"></label>
              <label>${t('fields.truck_plate')}<input name="truck_plate" required maxlength="16" autocomplete="off"></label>
              <label>${t('fields.haulier')}<input name="haulier" maxlength="12" autocomplete="off" placeholder="NITTSU"></label>
              <button type="submit" class="primary">${t('appointments.book_button')}</button>
            </form>
            ${this.problem ? html`<p class="field-error" role="alert">${t(this.problem)}</p>` : nothing}
            ${errorBox(this.formError)}
            ${this.booked
              ? html`<p class="notice" role="status" data-testid="booked">${t('appointments.booked', {
                  id: this.booked.id, time: formatTime(this.booked.slot_start),
                })} <button type="button" @click=${() => void this.cancel(this.booked!.id)}>${t('appointments.cancel')}</button></p>`
              : nothing}
          </section>`
        : nothing}
      <section class="card">
        <h2>${t('appointments.slots')}</h2>
        <table data-testid="slots">
          <thead><tr><th>${t('appointments.from')}</th><th>${t('appointments.to')}</th><th>${t('appointments.capacity')}</th>
            <th>${t('appointments.booked_n')}</th><th>${t('appointments.free')}</th></tr></thead>
          <tbody>${this.slots.map(
            (s) => html`<tr class=${s.free === 0 ? 'bad' : ''}><td>${formatTime(s.start)}</td><td>${formatClock(Date.parse(s.end))}</td>
              <td>${formatNumber(s.capacity)}</td><td>${formatNumber(s.booked)}</td><td>${formatNumber(s.free)}</td></tr>`,
          )}</tbody>
        </table>
      </section>
      ${can('gate.plan')
        ? html`<section class="card">
            <h2>${t('appointments.define')}</h2>
            <form class="row" @submit=${(e: SubmitEvent) => void this.define(e)}>
              <label>${t('appointments.from')}<input name="from" type="datetime-local" required></label>
              <label>${t('appointments.to')}<input name="to" type="datetime-local" required></label>
              <label>${t('appointments.minutes')}<input name="minutes" type="number" min="5" max="1440" value="60" required></label>
              <label>${t('appointments.capacity')}<input name="capacity" type="number" min="0" max="10000" value="40" required></label>
              <button type="submit">${t('appointments.define_button')}</button>
            </form>
          </section>`
        : nothing}
    `;
  }
}

customElements.define('page-appointments', AppointmentsPage);
