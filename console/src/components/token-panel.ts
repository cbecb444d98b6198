// API tokens of one line or haulier client account (user administrators): the tokens with
// their sources, expiry and last use; a new token (shown once, never stored in clear by the
// server); rotation (a new secret, the old one ends) and revocation.
import { html, nothing } from 'lit';
import { api, seg } from '../lib/api';
import { formatTime, t } from '../lib/i18n';
import { Page } from '../lib/page';
import { errorBox } from './error-box';

interface Token {
  id: number;
  name: string;
  allowed_sources: string;
  created: string;
  expires: string;
  last_used: string;
  revoked: string;
}

export class TokenPanel extends Page {
  username = '';
  private tokens: Token[] = [];
  private secret = '';
  private error: unknown = null;

  static override properties = { username: { type: String } };

  override updated(changed: Map<string, unknown>): void {
    if (changed.has('username') && this.username) void this.load();
  }

  private async load(): Promise<void> {
    try {
      this.tokens = (await api.get<{ tokens: Token[] }>(`/api/v1/users/${seg(this.username)}/tokens`)).tokens;
    } catch (e) {
      this.error = e;
    }
    this.requestUpdate();
  }

  private async issue(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const d = new FormData(event.target as HTMLFormElement);
    const body: Record<string, unknown> = { name: String(d.get('name') ?? '').trim(), days: Number(d.get('days')) };
    const sources = String(d.get('sources') ?? '').trim();
    if (sources) body.allowed_sources = sources;
    await this.act(() => api.post<{ token: string }>(`/api/v1/users/${seg(this.username)}/tokens`, body));
  }

  private async act(fn: () => Promise<{ token?: string } | unknown>): Promise<void> {
    this.error = null;
    this.secret = '';
    try {
      const r = (await fn()) as { token?: string } | undefined;
      this.secret = r?.token ?? '';
      await this.load();
    } catch (e) {
      this.error = e;
      this.requestUpdate();
    }
  }

  override render() {
    const base = `/api/v1/users/${seg(this.username)}/tokens`;
    return html`<section class="card" data-testid="tokens">
      <h2>${t('tokens.title', { user: this.username })}</h2>
      ${errorBox(this.error)}
      ${this.secret
        ? html`<div class="notice" role="status"><p>${t('tokens.once')}</p><p><code data-testid="token-secret">${this.secret}</code></p></div>`
        : nothing}
      <table>
        <thead><tr><th>#</th><th>${t('tokens.name')}</th><th>${t('users.sources')}</th><th>${t('tokens.expires')}</th>
          <th>${t('tokens.last_used')}</th><th>${t('users.actions')}</th></tr></thead>
        <tbody>${this.tokens.map(
          (k) => html`<tr class=${k.revoked ? 'bad' : ''}><td>${k.id}</td><td>${k.name}</td><td>${k.allowed_sources || '—'}</td>
            <td>${formatTime(k.expires)}</td><td>${formatTime(k.last_used)}</td>
            <td class="actions">${k.revoked
              ? t('tokens.revoked', { time: formatTime(k.revoked) })
              : html`<button type="button" @click=${() => void this.act(() => api.post(`${base}/${seg(k.id)}/rotate`, {}))}>${t('tokens.rotate')}</button>
                  <button type="button" @click=${() => void this.act(() => api.del(`${base}/${seg(k.id)}`))}>${t('tokens.revoke')}</button>`}</td></tr>`,
        )}</tbody>
      </table>
      <form class="row" @submit=${(e: SubmitEvent) => void this.issue(e)}>
        <label>${t('tokens.name')}<input name="name" required maxlength="64"></label>
        <label>${t('tokens.days')}<input name="days" type="number" min="1" max="365" value="90" required></label>
        <label>${t('users.sources')}<input name="sources" maxlength="2000" placeholder="203.0.113.0/24"></label>
        <button type="submit">${t('tokens.issue')}</button>
      </form>
    </section>`;
  }
}

customElements.define('token-panel', TokenPanel);
