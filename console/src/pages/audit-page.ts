// The audit log, for auditors (G2.7.3-d/e): events filtered by who, what, which target and
// when, page by page; an event's inclusion proof checked here, in the browser, against the
// newest signed checkpoint; the checkpoints; and `audit verify` run on the server with its
// result. Every read is recorded by the server (the auditor's reads are audited too).
import { html, nothing } from 'lit';
import { api } from '../lib/api';
import { formatTime, formatNumber, t, terminalLocalToUtc, terminalOffset } from '../lib/i18n';
import { rootFromInclusion } from '../lib/merkle';
import { Page } from '../lib/page';
import { errorBox } from '../components/error-box';

interface AuditEvent {
  seq: number;
  at: string;
  subject: string;
  credential: string;
  source: string;
  action: string;
  target: string;
  result: string;
  reason: string;
  request_id: string;
  leaf: string;
}
interface Checkpoint {
  size: number;
  root: string;
  at_us: number;
  key_id: string;
}
interface Verify {
  intact: boolean;
  events_verified: number;
  checkpoints_verified: number;
  external_checkpoints_verified: number;
  last_checkpoint: number;
  root: string;
  at: string;
  first_bad_event?: number;
  problem?: string;
}
interface Proof {
  seq: number;
  size: number;
  leaf: string;
  path: string[];
  root: string;
}

export class AuditPage extends Page {
  private events: AuditEvent[] = [];
  private pages: number[] = [0]; // the `after` of each page seen, for going back
  private next: number | null = null;
  private filters = new URLSearchParams();
  private checkpoints: Checkpoint[] = [];
  private verify: Verify | null = null;
  private proof: { seq: number; ok: boolean; size: number; root: string } | null = null;
  private error: unknown = null;
  private busy = false;

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load(0);
    void this.loadCheckpoints();
  }

  private async load(after: number): Promise<void> {
    const q = new URLSearchParams(this.filters);
    q.set('after', String(after));
    q.set('limit', '50');
    try {
      const r = await api.get<{ events: AuditEvent[]; next_after: number | null }>(`/api/v1/audit/events?${q}`);
      this.events = r.events;
      this.next = r.next_after;
      this.error = null;
    } catch (e) {
      this.error = e;
    }
    this.requestUpdate();
  }

  private async loadCheckpoints(): Promise<void> {
    try {
      // The newest checkpoints: page to the end (they are few: one a minute at most).
      let after = 0;
      let all: Checkpoint[] = [];
      for (;;) {
        const r = await api.get<{ checkpoints: Checkpoint[] }>(`/api/v1/audit/checkpoints?after=${after}&limit=1000`);
        all = all.concat(r.checkpoints);
        if (r.checkpoints.length < 1000) break;
        after = r.checkpoints[r.checkpoints.length - 1].size;
      }
      this.checkpoints = all.slice(-10).reverse();
    } catch (e) {
      this.error = e;
    }
    this.requestUpdate();
  }

  private filter(event: SubmitEvent): void {
    event.preventDefault();
    const d = new FormData(event.target as HTMLFormElement);
    const q = new URLSearchParams();
    for (const k of ['subject', 'action', 'target']) {
      const v = String(d.get(k) ?? '').trim();
      if (v) q.set(k, v);
    }
    const from = terminalLocalToUtc(String(d.get('from') ?? ''));
    const to = terminalLocalToUtc(String(d.get('to') ?? ''));
    if (from) q.set('from', from);
    if (to) q.set('to', to);
    this.filters = q;
    this.pages = [0];
    void this.load(0);
  }

  private older(): void {
    if (this.next === null) return;
    this.pages.push(this.next);
    void this.load(this.next);
  }

  private newer(): void {
    if (this.pages.length < 2) return;
    this.pages.pop();
    void this.load(this.pages[this.pages.length - 1]);
  }

  private async prove(e: AuditEvent): Promise<void> {
    this.proof = null;
    const cp = this.checkpoints.find((c) => c.size >= e.seq);
    try {
      const size = cp ? cp.size : e.seq;
      const p = await api.get<Proof>(`/api/v1/audit/proofs/inclusion?seq=${e.seq}&size=${size}`);
      const root = await rootFromInclusion(p.seq, p.size, e.leaf, p.path);
      const expected = cp ? cp.root : p.root;
      this.proof = { seq: e.seq, ok: root !== '' && root === expected && p.leaf === e.leaf, size, root };
    } catch (err) {
      this.error = err;
    }
    this.requestUpdate();
  }

  private async runVerify(): Promise<void> {
    this.busy = true;
    this.verify = null;
    this.requestUpdate();
    try {
      this.verify = await api.get<Verify>('/api/v1/audit/verify');
    } catch (e) {
      this.error = e;
    } finally {
      this.busy = false;
      this.requestUpdate();
    }
  }

  override render() {
    const v = this.verify;
    return html`
      <h1>${t('audit.title')}</h1>
      ${errorBox(this.error)}
      <section class="card">
        <h2>${t('audit.verify')}</h2>
        <p>${t('audit.verify_help')}</p>
        <button type="button" class="primary" ?disabled=${this.busy} @click=${() => void this.runVerify()}>${t('audit.verify_button')}</button>
        ${v
          ? html`<div class=${v.intact ? 'notice' : 'error'} role="status" data-testid="verify-result">
              <strong>${v.intact ? t('audit.intact') : t('audit.broken', { seq: v.first_bad_event ?? 0 })}</strong>
              <div>${t('audit.verified', {
                events: formatNumber(v.events_verified),
                checkpoints: formatNumber(v.checkpoints_verified),
                outside: formatNumber(v.external_checkpoints_verified),
                time: formatTime(v.at, true),
              })}</div>
              <div class="hint">root <code>${v.root}</code></div>
              ${v.problem ? html`<div lang="en">${v.problem}</div>` : nothing}
            </div>`
          : nothing}
      </section>

      <section class="card">
        <h2>${t('audit.events')}</h2>
        <form class="row" @submit=${(e: SubmitEvent) => this.filter(e)}>
          <label>${t('audit.subject')}<input name="subject" maxlength="100" placeholder="user:operator"></label>
          <label>${t('audit.action')}<input name="action" maxlength="64" placeholder="gate.in"></label>
          <label>${t('audit.target')}<input name="target" maxlength="100" placeholder="unit:CSQU3054383"></label>
          <label>${t('audit.from')}<input name="from" type="datetime-local"></label>
          <label>${t('audit.to')}<input name="to" type="datetime-local"></label>
          <button type="submit">${t('audit.apply')}</button>
        </form>
        <p class="hint">${t('audit.times', { offset: terminalOffset() })}</p>
        <table data-testid="audit-events">
          <thead><tr><th>#</th><th>${t('audit.when')}</th><th>${t('audit.subject')}</th><th>${t('audit.source')}</th>
            <th>${t('audit.action')}</th><th>${t('audit.target')}</th><th>${t('audit.result')}</th><th>${t('audit.reason')}</th><th></th></tr></thead>
          <tbody>
            ${this.events.map(
              (e) => html`<tr class=${e.result === 'success' ? '' : 'bad'}>
                <td>${e.seq}</td><td>${formatTime(e.at, true)}</td><td>${e.subject}</td><td>${e.source}</td>
                <td>${e.action}</td><td>${e.target}</td><td>${e.result}</td><td lang="en">${e.reason}</td>
                <td><button type="button" @click=${() => void this.prove(e)} aria-label=${t('audit.prove_n', { seq: e.seq })}>${t('audit.prove')}</button>
                  ${this.proof?.seq === e.seq
                    ? html`<span class=${this.proof.ok ? 'ok' : 'bad'} data-testid="proof-result" role="status">
                        ${this.proof.ok ? t('audit.proof_ok', { size: this.proof.size }) : t('audit.proof_bad')}</span>`
                    : nothing}</td>
              </tr>`,
            )}
          </tbody>
        </table>
        <div class="row">
          <button type="button" ?disabled=${this.pages.length < 2} @click=${() => this.newer()}>${t('audit.previous')}</button>
          <button type="button" ?disabled=${this.next === null} @click=${() => this.older()}>${t('audit.next')}</button>
        </div>
      </section>

      <section class="card">
        <h2>${t('audit.checkpoints')}</h2>
        <table>
          <thead><tr><th>${t('audit.size')}</th><th>${t('audit.when')}</th><th>${t('audit.key')}</th><th>root</th></tr></thead>
          <tbody>
            ${this.checkpoints.map(
              (c) => html`<tr><td>${formatNumber(c.size)}</td><td>${formatTime(new Date(c.at_us / 1000).toISOString(), true)}</td>
                <td>${c.key_id}</td><td><code>${c.root.slice(0, 16)}…</code></td></tr>`,
            )}
          </tbody>
        </table>
      </section>
    `;
  }
}

customElements.define('page-audit', AuditPage);
