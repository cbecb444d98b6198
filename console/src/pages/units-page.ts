// Units: find a unit by its container number (checked as ISO 6346 before asking), see its
// details, holds and move history, and — with unit.write — place or release a hold. The
// number is part of the address (/units/CSQU3054383) so a unit can be linked and reloaded.
import { html, nothing } from 'lit';
import { api, newIdempotencyKey, seg } from '../lib/api';
import { containerProblem, normaliseContainer } from '../lib/container';
import { t } from '../lib/i18n';
import { Page } from '../lib/page';
import { navigate } from '../lib/router';
import { can } from '../lib/session';
import { errorBox } from '../components/error-box';
import { holdList, label, moveTable, unitFacts, type Unit } from '../components/unit-card';

export class UnitsPage extends Page {
  private unit: Unit | null = null;
  private error: unknown = null;
  private actionError: unknown = null;
  private problem = '';
  private message = '';

  override connectedCallback(): void {
    super.connectedCallback();
    const id = decodeURIComponent(location.pathname.split('/')[2] ?? '');
    if (id) void this.load(id);
  }

  private async load(id: string): Promise<void> {
    this.error = null;
    try {
      this.unit = await api.get<Unit>(`/api/v1/units/${seg(id)}`);
    } catch (e) {
      this.unit = null;
      this.error = e;
    }
    this.requestUpdate();
  }

  private search(event: SubmitEvent): void {
    event.preventDefault();
    const text = String(new FormData(event.target as HTMLFormElement).get('container') ?? '');
    this.problem = containerProblem(text);
    this.requestUpdate();
    if (this.problem) return;
    navigate(`/units/${normaliseContainer(text)}`);
  }

  private async hold(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    if (!this.unit) return;
    const data = new FormData(event.target as HTMLFormElement);
    await this.change(() =>
      api.post(
        `/api/v1/units/${seg(this.unit!.container_id)}/holds`,
        { kind: String(data.get('kind')), reason: String(data.get('reason') ?? '').trim() },
        { idempotencyKey: newIdempotencyKey() },
      ),
      'units.hold_placed',
    );
  }

  private async release(kind: string): Promise<void> {
    if (!this.unit) return;
    await this.change(
      () => api.del(`/api/v1/units/${seg(this.unit!.container_id)}/holds/${seg(kind)}`),
      'units.hold_released',
    );
  }

  private async change(fn: () => Promise<unknown>, done: string): Promise<void> {
    this.actionError = null;
    this.message = '';
    try {
      await fn();
      this.message = done;
      await this.load(this.unit!.container_id);
    } catch (e) {
      this.actionError = e;
      this.requestUpdate();
    }
  }

  override render() {
    const u = this.unit;
    const id = decodeURIComponent(location.pathname.split('/')[2] ?? '');
    return html`
      <h1>${t('units.title')}</h1>
      <form class="row" role="search" @submit=${(e: SubmitEvent) => this.search(e)} novalidate>
        <label>${t('fields.container_id')}
          <input name="container" .value=${id} maxlength="13" autocomplete="off" spellcheck="false"
            aria-invalid=${this.problem ? 'true' : 'false'} aria-describedby="container-problem">
        </label>
        <button type="submit" class="primary">${t('units.search')}</button>
      </form>
      <p id="container-problem" class="field-error" role="alert">${this.problem ? t(this.problem) : nothing}</p>
      ${errorBox(this.error)}
      ${u
        ? html`
            <section class="card">
              <h2>${u.container_id}</h2>
              ${unitFacts(u)}
              <h3>${t('unit.holds')}</h3>
              ${holdList(u)}
              ${can('unit.write')
                ? html`
                    ${u.holds.map(
                      (h) => html`<button type="button" @click=${() => void this.release(h.kind)}>
                        ${t('units.release', { kind: label('holds', h.kind) })}</button>`,
                    )}
                    <form class="row" @submit=${(e: SubmitEvent) => void this.hold(e)}>
                      <label>${t('units.hold_kind')}
                        <select name="kind">
                          ${['customs', 'line', 'terminal'].map((k) => html`<option value=${k}>${label('holds', k)}</option>`)}
                        </select>
                      </label>
                      <label>${t('units.hold_reason')}<input name="reason" required maxlength="120"></label>
                      <button type="submit">${t('units.place_hold')}</button>
                    </form>`
                : nothing}
              ${this.message ? html`<p class="notice" role="status">${t(this.message)}</p>` : nothing}
              ${errorBox(this.actionError, 'action-error')}
              ${moveTable(u)}
            </section>`
        : nothing}
    `;
  }
}

customElements.define('page-units', UnitsPage);
