// Security oversight, each part for the roles that may see it: the access review with its
// sign-off (auditors, G2.1.1-i: who may do what, signed off against its digest; a sign-off is
// refused when access changed since it was read) and vendors' maintenance windows (G1.3,
// A1.5.2: stopped at once with a reason). Every read of these is recorded by the server. The
// alerts raised for security staff have their own screen (alerts-page.ts).
import { html, nothing } from 'lit';
import { api, seg } from '../lib/api';
import { formatTime, t } from '../lib/i18n';
import { Page } from '../lib/page';
import { can } from '../lib/session';
import { errorBox } from '../components/error-box';

interface Review {
  generated_at: string;
  digest: string;
  accounts: { username: string; roles: string[]; disabled: boolean; last_login: string; granted_by: string }[];
}
interface SignOff {
  id: number;
  at: string;
  reviewer: string;
  digest: string;
  accounts: number;
  note: string;
}
interface Window {
  id: number;
  username: string;
  start: string;
  end: string;
  reason: string;
  started_at: string;
  stopped_at: string;
}

export class SecurityPage extends Page {
  private review: Review | null = null;
  private signOffs: SignOff[] = [];
  private windows: Window[] = [];
  private errors: Record<string, unknown> = {};
  private message = '';

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async loadPart<T>(name: string, fn: () => Promise<T>, apply: (v: T) => void): Promise<void> {
    try {
      apply(await fn());
    } catch (e) {
      this.errors = { ...this.errors, [name]: e };
    }
  }

  private async load(): Promise<void> {
    const jobs: Promise<void>[] = [];
    if (can('access.review')) {
      jobs.push(this.loadPart('review', () => api.get<Review>('/api/v1/access-review'), (v) => (this.review = v)));
      jobs.push(this.loadPart('review', () => api.get<{ sign_offs: SignOff[] }>('/api/v1/access-review/sign-offs'),
        (v) => (this.signOffs = v.sign_offs)));
    }
    if (can('user.admin') || can('change.approve') || can('audit.read')) {
      jobs.push(this.loadPart('windows', () => api.get<{ maintenance_windows: Window[] }>('/api/v1/maintenance-windows'),
        (v) => (this.windows = v.maintenance_windows)));
    }
    await Promise.all(jobs);
    this.requestUpdate();
  }

  private async signOff(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    if (!this.review) return;
    const note = String(new FormData(event.target as HTMLFormElement).get('note') ?? '').trim();
    this.errors = { ...this.errors, review: null };
    try {
      await api.post('/api/v1/access-review/sign-off', { digest: this.review.digest, note });
      this.message = t('security.signed');
      await this.load();
    } catch (e) {
      this.errors = { ...this.errors, review: e };
      this.requestUpdate();
    }
  }

  private async stop(w: Window): Promise<void> {
    const reason = prompt(t('security.stop_reason', { user: w.username }));
    if (!reason) return;
    try {
      await api.post(`/api/v1/maintenance-windows/${seg(w.id)}/stop`, { reason });
      this.message = t('security.stopped', { id: w.id });
      await this.load();
    } catch (e) {
      this.errors = { ...this.errors, windows: e };
      this.requestUpdate();
    }
  }

  override render() {
    const r = this.review;
    return html`
      <h1>${t('security.title')}</h1>
      ${this.message ? html`<p class="notice" role="status" data-testid="security-message">${this.message}</p>` : nothing}
      ${can('access.review')
        ? html`<section class="card">
            <h2>${t('security.review')}</h2>
            ${errorBox(this.errors.review)}
            ${r
              ? html`<p>${t('security.review_as_of', { time: formatTime(r.generated_at, true), n: r.accounts.length })}</p>
                  <p class="hint">${t('security.digest')} <code data-testid="review-digest">${r.digest}</code></p>
                  <table data-testid="review">
                    <thead><tr><th>${t('fields.username')}</th><th>${t('account.roles')}</th><th>${t('users.state')}</th>
                      <th>${t('users.last_login')}</th><th>${t('users.granted_by')}</th></tr></thead>
                    <tbody>${r.accounts.map(
                      (a) => html`<tr><td>${a.username}</td><td>${a.roles.map((x) => t(`roles.${x}`)).join(', ')}</td>
                        <td>${a.disabled ? t('users.disabled') : t('users.active')}</td><td>${formatTime(a.last_login)}</td>
                        <td>${a.granted_by || '—'}</td></tr>`,
                    )}</tbody>
                  </table>
                  <form class="row" @submit=${(e: SubmitEvent) => void this.signOff(e)}>
                    <label>${t('security.note')}<input name="note" required maxlength="500"></label>
                    <button type="submit" class="primary">${t('security.sign_off')}</button>
                  </form>
                  <h3>${t('security.sign_offs')}</h3>
                  <ul data-testid="sign-offs">${this.signOffs.map(
                    (s) => html`<li>${formatTime(s.at)} — ${s.reviewer}: ${s.note} <code class="hint">${s.digest.slice(0, 12)}…</code></li>`,
                  )}</ul>`
              : nothing}
          </section>`
        : nothing}
      ${can('user.admin') || can('change.approve') || can('audit.read')
        ? html`<section class="card">
            <h2>${t('security.windows')}</h2>
            ${errorBox(this.errors.windows)}
            ${this.windows.length === 0
              ? html`<p>${t('security.no_windows')}</p>`
              : html`<table><thead><tr><th>#</th><th>${t('fields.username')}</th><th>${t('security.window')}</th>
                  <th>${t('fields.reason')}</th><th>${t('security.used')}</th><th></th></tr></thead>
                  <tbody>${this.windows.map(
                    (w) => html`<tr><td>${w.id}</td><td>${w.username}</td><td>${formatTime(w.start)} — ${formatTime(w.end)}</td>
                      <td>${w.reason}</td><td>${w.stopped_at ? t('security.stopped_at', { time: formatTime(w.stopped_at) }) : formatTime(w.started_at)}</td>
                      <td>${w.stopped_at ? nothing : html`<button type="button" @click=${() => void this.stop(w)}>${t('security.stop')}</button>`}</td></tr>`,
                  )}</tbody></table>`}
          </section>`
        : nothing}
    `;
  }
}

customElements.define('page-security', SecurityPage);
