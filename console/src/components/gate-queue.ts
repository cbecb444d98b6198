// The gate queue: trucks registered at the in-gate and not yet out, the longest waiting first
// (GET /api/v1/gate/trucks), kept current by the live view's "gate" events. A clerk registers
// an arriving truck (its turn time starts), takes one to the gate form ("serve": the plate and
// its visit number go into the form, so the transaction is tied to the visit), and records its
// exit. The API checks every step (gate.write); the buttons are only shown to those who hold it.
import { html, nothing } from 'lit';
import { api, newIdempotencyKey, seg } from '../lib/api';
import { formatNumber, formatTime, t } from '../lib/i18n';
import { LivePage } from '../lib/page';
import { can } from '../lib/session';
import { errorBox } from './error-box';

export interface TruckVisit {
  id: number;
  truck_plate: string;
  haulier: string;
  lane: string;
  arrived: string;
  arrived_by: string;
  exited: string | null;
}

export class GateQueue extends LivePage {
  protected readonly topics = ['gate'];
  private trucks: TruckVisit[] = [];
  private inside = 0;
  private loaded = false;
  private error: unknown = null;
  private arrivalKey = ''; // one Idempotency-Key per arrival submission, kept for its retry
  private clock = 0;

  override connectedCallback(): void {
    super.connectedCallback();
    // Waiting times move on without any event.
    this.clock = window.setInterval(() => this.requestUpdate(), 30_000);
  }

  override disconnectedCallback(): void {
    window.clearInterval(this.clock);
    super.disconnectedCallback();
  }

  protected async load(): Promise<void> {
    try {
      const r = await api.get<{ trucks: TruckVisit[]; inside: number }>('/api/v1/gate/trucks');
      this.trucks = r.trucks;
      this.inside = r.inside;
      this.loaded = true;
    } catch (e) {
      this.error = e;
    }
    this.requestUpdate();
  }

  private async arrive(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const d = new FormData(form);
    const body: Record<string, string> = { truck_plate: String(d.get('arrival_plate') ?? '').trim().toUpperCase() };
    const haulier = String(d.get('haulier') ?? '').trim().toUpperCase();
    const lane = String(d.get('lane') ?? '').trim().toUpperCase();
    if (haulier) body.haulier = haulier;
    if (lane) body.lane = lane;
    this.error = null;
    this.arrivalKey ||= newIdempotencyKey();
    try {
      await api.post('/api/v1/gate/trucks', body, { idempotencyKey: this.arrivalKey });
      this.arrivalKey = '';
      form.reset();
    } catch (e) {
      this.error = e;
    }
    await this.load();
  }

  private async exit(v: TruckVisit): Promise<void> {
    this.error = null;
    try {
      await api.post(`/api/v1/gate/trucks/${seg(v.id)}/exit`, undefined, { idempotencyKey: newIdempotencyKey() });
    } catch (e) {
      this.error = e;
    }
    await this.load();
  }

  private serve(v: TruckVisit): void {
    this.dispatchEvent(new CustomEvent<TruckVisit>('serve', { detail: v, bubbles: true }));
  }

  private waited(v: TruckVisit): string {
    const minutes = Math.max(0, Math.floor((Date.now() - Date.parse(v.arrived)) / 60_000));
    return t('queue.minutes', { n: formatNumber(minutes) });
  }

  override render() {
    const write = can('gate.write');
    return html`
      <section class="card" aria-labelledby="queue-title" data-testid="gate-queue">
        <h2 id="queue-title">${t('queue.title')}</h2>
        <p role="status" data-testid="queue-count">${t('queue.inside', { n: formatNumber(this.inside) })}</p>
        ${write
          ? html`<form class="row" @submit=${(e: SubmitEvent) => void this.arrive(e)} data-testid="arrival-form">
              <label>${t('queue.plate')}
                <input name="arrival_plate" required maxlength="16" pattern="[A-Za-z0-9 \\-]{1,16}" autocomplete="off"
                  @input=${() => (this.arrivalKey = '')}></label>
              <label>${t('fields.haulier')}<input name="haulier" maxlength="12" autocomplete="off"
                  @input=${() => (this.arrivalKey = '')}></label>
              <label>${t('fields.lane')}<input name="lane" maxlength="16" autocomplete="off"
                  @input=${() => (this.arrivalKey = '')}></label>
              <button type="submit">${t('queue.arrived')}</button>
            </form>`
          : nothing}
        ${errorBox(this.error, 'queue-error')}
        ${this.loaded && this.trucks.length === 0
          ? html`<p class="hint">${t('queue.empty')}</p>`
          : html`<table data-testid="queue">
              <thead><tr><th>#</th><th>${t('fields.truck_plate')}</th><th>${t('fields.haulier')}</th>
                <th>${t('fields.lane')}</th><th>${t('queue.arrived_at')}</th><th>${t('queue.waiting')}</th>
                ${write ? html`<th>${t('users.actions')}</th>` : nothing}</tr></thead>
              <tbody>
                ${this.trucks.map(
                  (v) => html`<tr data-plate=${v.truck_plate}>
                    <td>${v.id}</td><td>${v.truck_plate}</td><td>${v.haulier || '—'}</td><td>${v.lane || '—'}</td>
                    <td>${formatTime(v.arrived)}</td><td>${this.waited(v)}</td>
                    ${write
                      ? html`<td class="row">
                          <button type="button" @click=${() => this.serve(v)}
                            aria-label=${t('queue.serve_plate', { plate: v.truck_plate })}>${t('queue.serve')}</button>
                          <button type="button" @click=${() => void this.exit(v)}
                            aria-label=${t('queue.exit_plate', { plate: v.truck_plate })}>${t('queue.exit')}</button>
                        </td>`
                      : nothing}
                  </tr>`,
                )}
              </tbody>
            </table>`}
      </section>
    `;
  }
}

customElements.define('gate-queue', GateQueue);
