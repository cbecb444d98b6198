// The yard map: every block as a grid of its 20-foot stacks (bays across, rows down), coloured
// by height, or picking out reefers, dangerous goods or holds; one canvas for the whole yard,
// drawn in milliseconds (the time of the last drawing is on the canvas, data-draw-ms). A stack
// opens to its tiers by click, by keyboard (arrow keys move within a block, Page Up/Down go
// from block to block, Enter opens) or by the form beside the map. The map follows the yard
// live (lib/live.ts) and can be reloaded.
import { html, nothing } from 'lit';
import { api, seg } from '../lib/api';
import { formatNumber, formatTime, formatWeight, t } from '../lib/i18n';
import { onLive } from '../lib/live';
import { Page } from '../lib/page';
import { errorBox } from '../components/error-box';
import { label, type Unit } from '../components/unit-card';

interface BlockMap {
  name: string;
  bays: number;
  rows: number;
  tiers: number;
  hazardous: boolean;
  stacks: number[];
}
interface YardMap {
  at: string;
  blocks: BlockMap[];
}
type Mode = 'height' | 'reefer' | 'dangerous' | 'holds';

const PLUG = 16;
const POWERED = 32;
const DANGEROUS = 64;
const HELD = 128;

interface Placed {
  block: BlockMap;
  x: number;
  y: number;
}

const two = (n: number) => String(n).padStart(2, '0');

export class YardPage extends Page {
  private map: YardMap | null = null;
  private mode: Mode = 'height';
  private placed: Placed[] = [];
  private cell = 8;
  private cursor = { block: 0, bay20: 1, row: 1 };
  private stack: { block: string; bay: number; row: number; units: Unit[] } | null = null;
  private error: unknown = null;
  private stackError: unknown = null;
  private drawMs = 0;
  private stopLive: (() => void) | null = null;
  private reloadTimer = 0;
  private readonly onResize = () => this.draw();

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
    window.addEventListener('resize', this.onResize);
    // A move anywhere in the yard redraws the map (at most every two seconds).
    this.stopLive = onLive(['yard'], () => {
      if (this.reloadTimer) return;
      this.reloadTimer = window.setTimeout(() => {
        this.reloadTimer = 0;
        void this.load(true);
      }, 2000);
    });
  }

  override disconnectedCallback(): void {
    window.removeEventListener('resize', this.onResize);
    this.stopLive?.();
    window.clearTimeout(this.reloadTimer);
    super.disconnectedCallback();
  }

  private async load(keepStack = false): Promise<void> {
    try {
      this.map = await api.get<YardMap>('/api/v1/yard/map');
      this.error = null;
    } catch (e) {
      this.error = e;
    }
    this.requestUpdate();
    await this.updateComplete;
    this.draw();
    if (keepStack && this.stack) await this.open(this.stack.block, (this.stack.bay + 1) / 2, this.stack.row);
  }

  private canvas(): HTMLCanvasElement | null {
    return this.querySelector('canvas');
  }

  private layout(width: number): { height: number } {
    const blocks = this.map?.blocks ?? [];
    const maxBays = Math.max(1, ...blocks.map((b) => b.bays));
    const maxRows = Math.max(1, ...blocks.map((b) => b.rows));
    const perLine = Math.max(1, Math.min(blocks.length, Math.floor(width / (maxBays * 6 + 16))));
    this.cell = Math.max(4, Math.min(14, Math.floor((width - perLine * 16) / (perLine * maxBays))));
    const blockW = maxBays * this.cell + 16;
    const blockH = maxRows * this.cell + 22;
    this.placed = blocks.map((block, i) => ({
      block,
      x: (i % perLine) * blockW + 8,
      y: Math.floor(i / perLine) * blockH + 18,
    }));
    return { height: Math.ceil(blocks.length / perLine) * blockH + 8 };
  }

  private colour(b: BlockMap, v: number): string {
    const h = v & 15;
    const faint = h === 0 ? '#eef1f4' : '#c9d3de';
    switch (this.mode) {
      case 'reefer':
        return v & POWERED ? '#0077b6' : v & PLUG ? '#9ad1f0' : faint;
      case 'dangerous':
        return v & DANGEROUS ? '#c1121f' : b.hazardous ? '#f6c1c4' : faint;
      case 'holds':
        return v & HELD ? '#e36414' : faint;
      default: {
        if (h === 0) return '#eef1f4';
        // Light to dark blue with the share of the block's tiers in use.
        const share = h / Math.max(1, b.tiers);
        const l = Math.round(82 - share * 52);
        return `hsl(212 60% ${l}%)`;
      }
    }
  }

  draw(): void {
    const canvas = this.canvas();
    if (!canvas || !this.map) return;
    const started = performance.now();
    const width = Math.max(320, canvas.parentElement?.clientWidth ?? 960);
    const { height } = this.layout(width);
    const dpr = window.devicePixelRatio || 1;
    canvas.width = Math.round(width * dpr);
    canvas.height = Math.round(height * dpr);
    canvas.style.width = `${width}px`;
    canvas.style.height = `${height}px`;
    const g = canvas.getContext('2d');
    if (!g) return;
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, width, height);
    g.font = '11px system-ui, sans-serif';
    const c = this.cell;
    const gap = c >= 7 ? 1 : 0;
    for (const p of this.placed) {
      const b = p.block;
      g.fillStyle = '#1d2733';
      g.fillText(b.name, p.x, p.y - 4);
      for (let col = 0; col < b.bays; ++col) {
        for (let row = 0; row < b.rows; ++row) {
          const v = b.stacks[col * b.rows + row] ?? 0;
          g.fillStyle = this.colour(b, v);
          g.fillRect(p.x + col * c, p.y + row * c, c - gap, c - gap);
        }
      }
    }
    // The keyboard cursor.
    const cur = this.placed[this.cursor.block];
    if (cur && document.activeElement === canvas) {
      g.strokeStyle = '#000';
      g.lineWidth = 2;
      g.strokeRect(cur.x + (this.cursor.bay20 - 1) * c - 1, cur.y + (this.cursor.row - 1) * c - 1, c + 1, c + 1);
    }
    this.drawMs = performance.now() - started;
    canvas.dataset.drawMs = this.drawMs.toFixed(2);
  }

  private hit(event: MouseEvent): { block: number; bay20: number; row: number } | null {
    const canvas = this.canvas();
    if (!canvas) return null;
    const r = canvas.getBoundingClientRect();
    const x = event.clientX - r.left;
    const y = event.clientY - r.top;
    for (let i = 0; i < this.placed.length; ++i) {
      const p = this.placed[i];
      const col = Math.floor((x - p.x) / this.cell);
      const row = Math.floor((y - p.y) / this.cell);
      if (col >= 0 && col < p.block.bays && row >= 0 && row < p.block.rows) {
        return { block: i, bay20: col + 1, row: row + 1 };
      }
    }
    return null;
  }

  private onCanvasClick(event: MouseEvent): void {
    const h = this.hit(event);
    if (!h) return;
    this.cursor = h;
    void this.open(this.placed[h.block].block.name, h.bay20, h.row);
  }

  private key(event: KeyboardEvent): void {
    const blocks = this.placed;
    if (blocks.length === 0) return;
    const c = { ...this.cursor };
    const b = blocks[c.block].block;
    switch (event.key) {
      case 'ArrowLeft': c.bay20 = Math.max(1, c.bay20 - 1); break;
      case 'ArrowRight': c.bay20 = Math.min(b.bays, c.bay20 + 1); break;
      case 'ArrowUp': c.row = Math.max(1, c.row - 1); break;
      case 'ArrowDown': c.row = Math.min(b.rows, c.row + 1); break;
      case 'PageDown': c.block = (c.block + 1) % blocks.length; break;
      case 'PageUp': c.block = (c.block + blocks.length - 1) % blocks.length; break;
      case 'Enter':
      case ' ':
        event.preventDefault();
        void this.open(b.name, c.bay20, c.row);
        return;
      default:
        return;
    }
    event.preventDefault();
    const nb = blocks[c.block].block;
    c.bay20 = Math.min(c.bay20, nb.bays);
    c.row = Math.min(c.row, nb.rows);
    this.cursor = c;
    this.draw();
    this.requestUpdate();
  }

  private describeCursor(): string {
    const p = this.placed[this.cursor.block];
    if (!p) return '';
    const v = p.block.stacks[(this.cursor.bay20 - 1) * p.block.rows + this.cursor.row - 1] ?? 0;
    const flags = [
      v & POWERED ? t('yard.mode.reefer') : '',
      v & DANGEROUS ? t('yard.mode.dangerous') : '',
      v & HELD ? t('yard.mode.holds') : '',
    ].filter(Boolean);
    return t('yard.cursor', {
      block: p.block.name,
      bay: two(this.cursor.bay20 * 2 - 1),
      row: two(this.cursor.row),
      height: v & 15,
      tiers: p.block.tiers,
    }) + (flags.length ? ` (${flags.join(', ')})` : '');
  }

  private async open(block: string, bay20: number, row: number): Promise<void> {
    const bay = bay20 * 2 - 1;
    this.stackError = null;
    try {
      const r = await api.get<{ units: Unit[] }>(
        `/api/v1/yard/blocks/${seg(block)}/stacks/${two(bay)}/${two(row)}`,
      );
      this.stack = { block, bay, row, units: r.units };
    } catch (e) {
      this.stack = null;
      this.stackError = e;
    }
    this.requestUpdate();
  }

  private openForm(event: SubmitEvent): void {
    event.preventDefault();
    const d = new FormData(event.target as HTMLFormElement);
    const block = String(d.get('block') ?? '');
    const bay = Number(d.get('bay'));
    const row = Number(d.get('row'));
    const i = this.placed.findIndex((p) => p.block.name === block);
    if (i >= 0 && bay % 2 === 1) this.cursor = { block: i, bay20: (bay + 1) / 2, row };
    void this.open(block, Math.max(1, Math.round((bay + 1) / 2)), row);
  }

  override render() {
    const m = this.map;
    const used = m ? m.blocks.reduce((n, b) => n + b.stacks.reduce((k, v) => k + (v & 15), 0), 0) : 0;
    return html`
      <h1>${t('yard.title')}</h1>
      ${errorBox(this.error)}
      <div class="row toolbar">
        <fieldset class="choice">
          <legend>${t('yard.colour_by')}</legend>
          ${(['height', 'reefer', 'dangerous', 'holds'] as Mode[]).map(
            (mode) => html`<label class="inline"><input type="radio" name="mode" value=${mode}
              .checked=${this.mode === mode} @change=${() => { this.mode = mode; this.draw(); }}>
              ${t(`yard.mode.${mode}`)}</label>`,
          )}
        </fieldset>
        <button type="button" @click=${() => void this.load(true)}>${t('common.reload')}</button>
        ${m ? html`<span class="hint" data-testid="yard-at">${t('yard.as_of', { time: formatTime(m.at, true), units: formatNumber(used) })}</span>` : nothing}
      </div>
      <div class="yard-layout">
        <div class="yard-canvas">
          <canvas tabindex="0" role="img" aria-label=${t('yard.canvas_label')} aria-describedby="yard-cursor"
            data-testid="yard-canvas" @click=${(e: MouseEvent) => this.onCanvasClick(e)}
            @keydown=${(e: KeyboardEvent) => this.key(e)} @focus=${() => this.draw()} @blur=${() => this.draw()}></canvas>
          <p id="yard-cursor" class="hint" aria-live="polite">${this.describeCursor()}</p>
          <p class="legend hint">${t(`yard.legend.${this.mode}`)} · ${t('yard.keys')}</p>
        </div>
        <aside class="card">
          <h2>${t('yard.open_stack')}</h2>
          <form class="row" @submit=${(e: SubmitEvent) => this.openForm(e)}>
            <label>${t('fields.block')}
              <select name="block" data-testid="stack-block">
                ${(m?.blocks ?? []).map((b) => html`<option value=${b.name}>${b.name}</option>`)}
              </select>
            </label>
            <label>${t('fields.bay')}<input name="bay" type="number" min="1" max="97" step="2" value="1" required></label>
            <label>${t('fields.row')}<input name="row" type="number" min="1" max="30" value="1" required></label>
            <button type="submit">${t('yard.open')}</button>
          </form>
          ${errorBox(this.stackError)}
          ${this.stack
            ? html`<h3 data-testid="stack-title">${t('yard.stack', { block: this.stack.block, bay: two(this.stack.bay), row: two(this.stack.row) })}</h3>
                ${this.stack.units.length === 0
                  ? html`<p>${t('yard.empty_stack')}</p>`
                  : html`<table data-testid="stack-units">
                      <thead><tr><th>${t('yard.tier')}</th><th>${t('unit.container')}</th><th>${t('unit.size_type')}</th>
                        <th>${t('unit.line')}</th><th>${t('unit.gross')}</th><th>${t('unit.holds')}</th></tr></thead>
                      <tbody>
                        ${[...this.stack.units].reverse().map(
                          (u) => html`<tr>
                            <td>${(u.slot ?? '').split('-')[3] ?? ''}</td>
                            <td><a href="/units/${u.container_id}">${u.container_id}</a></td>
                            <td>${u.size_type}</td><td>${u.line_operator}</td><td>${formatWeight(u.gross_kg)}</td>
                            <td>${u.holds.map((h) => label('holds', h.kind)).join(', ') || '—'}</td>
                          </tr>`,
                        )}
                      </tbody>
                    </table>`}`
            : nothing}
        </aside>
      </div>
    `;
  }
}

customElements.define('page-yard', YardPage);
