// A unit's details as the screens show them: identity, what it carries, where it is, its holds
// and its move history. Text only: nothing from the unit is ever parsed as markup.
import { html, nothing } from 'lit';
import { formatNumber, formatTime, formatWeight, t } from '../lib/i18n';

export interface Hold {
  kind: string;
  reason: string;
  by: string;
  at: string;
}
export interface Move {
  kind: string;
  from: string;
  to: string;
  at: string;
  by: string;
}
export interface Unit {
  id: number;
  container_id: string;
  size_type: string;
  iso_size_type: string;
  teu: number;
  category: string;
  freight: string;
  line_operator: string;
  gross_kg: number;
  state: string;
  slot: string | null;
  version: number;
  vgm: { kg: number; method: string; party: string } | null;
  seals: string[];
  dangerous_goods: { un_number: string; imdg_class: string }[];
  reefer: { set_point_c: number; needs_power: boolean } | null;
  holds: Hold[];
  booking: string | null;
  delivery_order: string | null;
  pin_set: boolean;
  inbound_visit: string | null;
  outbound_visit: string | null;
  pod: string | null;
  vessel_slot: string | null;
  in_yard_since: string | null;
  moves?: Move[];
}

export function label(group: string, value: string | null | undefined): string {
  if (!value) return '—';
  const key = `${group}.${value}`;
  const text = t(key);
  return text === key ? value : text;
}

export function unitFacts(u: Unit) {
  return html`<dl class="facts" data-testid="unit-facts">
    <dt>${t('unit.container')}</dt><dd data-testid="unit-id">${u.container_id}</dd>
    <dt>${t('unit.state')}</dt><dd data-testid="unit-state">${label('states', u.state)}</dd>
    <dt>${t('unit.slot')}</dt><dd data-testid="unit-slot">${u.slot ?? u.vessel_slot ?? '—'}</dd>
    <dt>${t('unit.size_type')}</dt><dd>${u.size_type} (${u.iso_size_type}, ${formatNumber(u.teu)} TEU)</dd>
    <dt>${t('unit.category')}</dt><dd>${label('categories', u.category)} / ${label('freight', u.freight)}</dd>
    <dt>${t('unit.line')}</dt><dd>${u.line_operator || '—'}</dd>
    <dt>${t('unit.gross')}</dt><dd>${formatWeight(u.gross_kg)}</dd>
    <dt>${t('unit.vgm')}</dt><dd>${u.vgm ? `${formatWeight(u.vgm.kg)} (${u.vgm.method}, ${u.vgm.party})` : '—'}</dd>
    <dt>${t('unit.seals')}</dt><dd>${u.seals.length ? u.seals.join(', ') : '—'}</dd>
    <dt>${t('unit.dangerous')}</dt>
    <dd>${u.dangerous_goods.length ? u.dangerous_goods.map((d) => `UN${d.un_number} (${d.imdg_class})`).join(', ') : '—'}</dd>
    <dt>${t('unit.reefer')}</dt>
    <dd>${u.reefer ? `${formatNumber(u.reefer.set_point_c)} °C${u.reefer.needs_power ? ` · ${t('unit.powered')}` : ''}` : '—'}</dd>
    <dt>${t('unit.booking')}</dt><dd>${u.booking ?? u.delivery_order ?? '—'}</dd>
    <dt>${t('unit.visits')}</dt><dd>${u.inbound_visit ?? '—'} → ${u.outbound_visit ?? '—'} ${u.pod ? `(${u.pod})` : ''}</dd>
    <dt>${t('unit.in_yard_since')}</dt><dd>${formatTime(u.in_yard_since)}</dd>
    <dt>${t('unit.released')}</dt><dd>${u.pin_set ? t('common.yes') : t('common.no')}</dd>
  </dl>`;
}

export function holdList(u: Unit) {
  if (u.holds.length === 0) return html`<p data-testid="holds">${t('unit.no_holds')}</p>`;
  return html`<ul class="holds" data-testid="holds">
    ${u.holds.map(
      (h) => html`<li><strong>${label('holds', h.kind)}</strong> — ${h.reason}
        <span class="hint">(${h.by}, ${formatTime(h.at)})</span></li>`,
    )}
  </ul>`;
}

export function moveTable(u: Unit) {
  if (!u.moves) return nothing;
  return html`<table data-testid="moves">
    <caption>${t('unit.moves')}</caption>
    <thead><tr><th>${t('unit.when')}</th><th>${t('unit.move')}</th><th>${t('unit.from')}</th>
      <th>${t('unit.to')}</th><th>${t('unit.by')}</th></tr></thead>
    <tbody>
      ${u.moves.map(
        (m) => html`<tr><td>${formatTime(m.at)}</td><td>${label('moves', m.kind)}</td><td>${m.from || '—'}</td>
          <td>${m.to || '—'}</td><td>${m.by}</td></tr>`,
      )}
    </tbody>
  </table>`;
}
