// Vessel visits: the list, and one visit's phase (moved on by the planner, as the API allows),
// its discharge and load progress, and its bay view drawn from the stowage positions of its
// units (BBBRRTT): per bay, rows across (even rows to one side of the centre line, odd to the
// other) and tiers up, the deck above the hold. What is still to discharge, and what is
// loaded, stand out; every cell names its container.
import { html, nothing, svg } from 'lit';
import { api, seg } from '../lib/api';
import { formatNumber, formatTime, t } from '../lib/i18n';
import { Page } from '../lib/page';
import { can } from '../lib/session';
import { errorBox } from '../components/error-box';
import { label, type Unit } from '../components/unit-card';

interface Visit {
  id: string;
  vessel_name: string;
  imo: string;
  berth: string;
  eta: string;
  etd: string;
  phase: string;
  counts?: {
    discharge_list: number;
    discharged: number;
    on_board_to_discharge: number;
    load_list: number;
    loaded: number;
    to_load: number;
  };
}

const NEXT: Record<string, string[]> = {
  created: ['inbound', 'arrived', 'cancelled'],
  inbound: ['arrived', 'cancelled'],
  arrived: ['working', 'departed'],
  working: ['completed'],
  completed: ['departed'],
  departed: ['closed'],
};

interface Cell {
  unit: Unit;
  bay: number;
  row: number;
  tier: number;
  kind: 'discharge' | 'loaded';
}

// Rows as seen from astern: even rows to port (left, outermost first), 00 in the middle,
// odd rows to starboard.
function rowOrder(rows: number[]): number[] {
  const even = rows.filter((r) => r % 2 === 0 && r !== 0).sort((a, b) => b - a);
  const odd = rows.filter((r) => r % 2 === 1).sort((a, b) => a - b);
  return [...even, ...(rows.includes(0) ? [0] : []), ...odd];
}

export class VisitsPage extends Page {
  private visits: Visit[] = [];
  private visit: Visit | null = null;
  private cells: Cell[] = [];
  private bay = 0;
  private error: unknown = null;
  private message = '';

  override connectedCallback(): void {
    super.connectedCallback();
    const id = decodeURIComponent(location.pathname.split('/')[2] ?? '');
    void (id ? this.loadVisit(id) : this.loadList());
  }

  private async loadList(): Promise<void> {
    try {
      this.visits = (await api.get<{ vessel_visits: Visit[] }>('/api/v1/vessel-visits')).vessel_visits;
    } catch (e) {
      this.error = e;
    }
    this.requestUpdate();
  }

  private async loadVisit(id: string): Promise<void> {
    try {
      this.visit = await api.get<Visit>(`/api/v1/vessel-visits/${seg(id)}`);
      const cells: Cell[] = [];
      let after = 0;
      for (let page = 0; page < 20; ++page) {
        const r = await api.get<{ units: Unit[]; next_after: number | null }>(
          `/api/v1/units?visit=${seg(id)}&limit=1000&after=${after}`,
        );
        for (const u of r.units) {
          const m = /^(\d{3})(\d{2})(\d{2})$/.exec(u.vessel_slot ?? '');
          if (!m) continue;
          const inbound = u.inbound_visit === id && u.state === 'advised';
          const loaded = u.outbound_visit === id && (u.state === 'loaded' || u.state === 'departed');
          if (!inbound && !loaded) continue;
          cells.push({ unit: u, bay: Number(m[1]), row: Number(m[2]), tier: Number(m[3]), kind: inbound ? 'discharge' : 'loaded' });
        }
        if (r.next_after === null) break;
        after = r.next_after;
      }
      this.cells = cells;
      const bays = [...new Set(cells.map((c) => c.bay))].sort((a, b) => a - b);
      if (!bays.includes(this.bay)) this.bay = bays[0] ?? 0;
    } catch (e) {
      this.error = e;
    }
    this.requestUpdate();
  }

  private async phase(to: string): Promise<void> {
    if (!this.visit) return;
    this.error = null;
    this.message = '';
    try {
      await api.post(`/api/v1/vessel-visits/${seg(this.visit.id)}/phase`, { phase: to });
      this.message = t('visits.phase_done', { phase: t(`visits.phase.${to}`) });
      await this.loadVisit(this.visit.id);
    } catch (e) {
      this.error = e;
      this.requestUpdate();
    }
  }

  private bayView() {
    const here = this.cells.filter((c) => c.bay === this.bay);
    if (here.length === 0) return html`<p>${t('visits.no_positions')}</p>`;
    const rows = rowOrder([...new Set(here.map((c) => c.row))]);
    const deck = [...new Set(here.filter((c) => c.tier >= 50).map((c) => c.tier))].sort((a, b) => b - a);
    const hold = [...new Set(here.filter((c) => c.tier < 50).map((c) => c.tier))].sort((a, b) => b - a);
    const tiers = [...deck, ...hold];
    const size = 26;
    const left = 34;
    const top = 20;
    const gap = deck.length && hold.length ? 10 : 0;
    const y = (tier: number) => top + tiers.indexOf(tier) * size + (tier < 50 ? gap : 0);
    const width = left + rows.length * size + 4;
    const height = top + tiers.length * size + gap + 4;
    return html`<svg class="bay" viewBox="0 0 ${width} ${height}" width=${width * 1.4} height=${height * 1.4}
        role="img" aria-label=${t('visits.bay_label', { bay: String(this.bay).padStart(3, '0'), units: here.length })}>
      ${rows.map((r, i) => svg`<text x=${left + i * size + size / 2} y="14" text-anchor="middle" class="axis">${String(r).padStart(2, '0')}</text>`)}
      ${tiers.map((tier) => svg`<text x="2" y=${y(tier) + size / 2 + 4} class="axis">${String(tier).padStart(2, '0')}</text>`)}
      ${deck.length && hold.length ? svg`<line x1=${left} x2=${width} y1=${top + deck.length * size + gap / 2} y2=${top + deck.length * size + gap / 2} class="hatch"/>` : nothing}
      ${here.map(
        (c) => svg`<rect x=${left + rows.indexOf(c.row) * size + 1} y=${y(c.tier) + 1} width=${size - 2} height=${size - 2}
          class=${`cell ${c.kind}${c.unit.dangerous_goods.length ? ' dg' : ''}${c.unit.reefer ? ' reefer' : ''}`}>
          <title>${c.unit.container_id} ${c.unit.size_type} ${c.unit.line_operator} ${label('states', c.unit.state)}</title></rect>`,
      )}
    </svg>`;
  }

  override render() {
    if (!this.visit) {
      return html`
        <h1>${t('visits.title')}</h1>
        ${errorBox(this.error)}
        <table data-testid="visits">
          <thead><tr><th>${t('visits.id')}</th><th>${t('visits.vessel')}</th><th>${t('visits.berth')}</th>
            <th>ETA</th><th>ETD</th><th>${t('visits.phase_title')}</th></tr></thead>
          <tbody>${this.visits.map(
            (v) => html`<tr><td><a href="/visits/${v.id}">${v.id}</a></td><td>${v.vessel_name} (IMO ${v.imo})</td>
              <td>${v.berth}</td><td>${formatTime(v.eta)}</td><td>${formatTime(v.etd)}</td><td>${t(`visits.phase.${v.phase}`)}</td></tr>`,
          )}</tbody>
        </table>`;
    }
    const v = this.visit;
    const c = v.counts;
    const bays = [...new Set(this.cells.map((x) => x.bay))].sort((a, b) => a - b);
    return html`
      <h1>${t('visits.visit', { id: v.id, vessel: v.vessel_name })}</h1>
      <p><a href="/visits">${t('visits.all')}</a></p>
      ${this.message ? html`<p class="notice" role="status" data-testid="visit-message">${this.message}</p>` : nothing}
      ${errorBox(this.error)}
      <section class="card">
        <dl class="facts">
          <dt>${t('visits.phase_title')}</dt><dd data-testid="visit-phase">${t(`visits.phase.${v.phase}`)}</dd>
          <dt>${t('visits.berth')}</dt><dd>${v.berth}</dd>
          <dt>ETA / ETD</dt><dd>${formatTime(v.eta)} — ${formatTime(v.etd)}</dd>
        </dl>
        ${can('visit.write') && NEXT[v.phase]
          ? html`<div class="row">${NEXT[v.phase].map(
              (p) => html`<button type="button" @click=${() => void this.phase(p)}>${t('visits.to_phase', { phase: t(`visits.phase.${p}`) })}</button>`,
            )}</div>`
          : nothing}
      </section>
      ${c
        ? html`<section class="card" data-testid="visit-progress">
            <h2>${t('visits.progress')}</h2>
            <label>${t('visits.discharge', { done: formatNumber(c.discharged), of: formatNumber(c.discharge_list) })}
              <progress max=${Math.max(1, c.discharge_list)} value=${c.discharged}></progress></label>
            <label>${t('visits.load', { done: formatNumber(c.loaded), of: formatNumber(c.load_list) })}
              <progress max=${Math.max(1, c.load_list)} value=${c.loaded}></progress></label>
            <p>${t('visits.reconcile', { on_board: formatNumber(c.on_board_to_discharge), to_load: formatNumber(c.to_load) })}</p>
          </section>`
        : nothing}
      <section class="card">
        <h2>${t('visits.bays')}</h2>
        ${bays.length
          ? html`<label>${t('visits.bay')}
              <select data-testid="bay-select" @change=${(e: Event) => { this.bay = Number((e.target as HTMLSelectElement).value); this.requestUpdate(); }}>
                ${bays.map((b) => html`<option value=${b} ?selected=${b === this.bay}>${String(b).padStart(3, '0')}</option>`)}
              </select></label>
              <p class="legend hint">${t('visits.legend')}</p>`
          : nothing}
        <div data-testid="bay-view">${this.bayView()}</div>
      </section>
    `;
  }
}

customElements.define('page-visits', VisitsPage);
