// Users, for user administrators (G2.1.1-d/i, G2.2.1): every account with its roles and
// rules (the access review's list; reading it is recorded); a new account gets a one-time
// enrolment link, never a password; unlock, disable with a reason, enable, and reset every
// credential at once (a new link). Role changes of existing accounts are privileged: they are
// requested here and approved by a security officer (approvals).
import { html, nothing } from 'lit';
import { api, newIdempotencyKey, seg } from '../lib/api';
import { formatTime, t } from '../lib/i18n';
import { Page } from '../lib/page';
import { errorBox } from '../components/error-box';
import '../components/token-panel';
import { ROLES } from '../lib/roles';

interface Account {
  username: string;
  roles: string[];
  disabled: boolean;
  allowed_sources: string;
  login_window: string;
  scope: string;
  granted_by: string;
  created: string;
  last_login: string;
}
interface Enrolment {
  username: string;
  enrolment_token: string;
  enrolment_link: string;
  expires: string;
}

export class UsersPage extends Page {
  private accounts: Account[] = [];
  private enrolment: Enrolment | null = null;
  private message = '';
  private error: unknown = null;
  private formError: unknown = null;
  private tokensOf = '';

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load(): Promise<void> {
    try {
      const r = await api.get<{ accounts: Account[] }>('/api/v1/access-review');
      this.accounts = r.accounts;
    } catch (e) {
      this.error = e;
    }
    this.requestUpdate();
  }

  private async add(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const d = new FormData(form);
    const body: Record<string, unknown> = {
      username: String(d.get('username') ?? '').trim(),
      roles: d.getAll('roles').map(String),
    };
    const email = String(d.get('email') ?? '').trim();
    if (email) body.email = email;
    const sources = String(d.get('allowed_sources') ?? '').trim();
    if (sources) body.allowed_sources = sources;
    this.formError = null;
    this.enrolment = null;
    try {
      this.enrolment = await api.post<Enrolment>('/api/v1/users', body, { idempotencyKey: newIdempotencyKey() });
      form.reset();
      await this.load();
    } catch (e) {
      this.formError = e;
    }
    this.requestUpdate();
  }

  private async act(a: Account, what: 'unlock' | 'disable' | 'enable' | 'reset'): Promise<void> {
    this.error = null;
    this.message = '';
    try {
      if (what === 'disable' || what === 'reset') {
        const reason = prompt(t(`users.${what}_reason`, { user: a.username }));
        if (!reason) return;
        const r = await api.post<Enrolment>(`/api/v1/users/${seg(a.username)}/${what}`, { reason });
        if (what === 'reset') this.enrolment = r;
      } else {
        await api.post(`/api/v1/users/${seg(a.username)}/${what}`, {});
      }
      this.message = t(`users.done_${what}`, { user: a.username });
      await this.load();
    } catch (e) {
      this.error = e;
      this.requestUpdate();
    }
  }

  override render() {
    const e = this.enrolment;
    const link = e ? `${location.origin}/enrol#token=${e.enrolment_token}` : '';
    return html`
      <h1>${t('users.title')}</h1>
      ${this.message ? html`<p class="notice" role="status">${this.message}</p>` : nothing}
      ${errorBox(this.error)}
      <section class="card">
        <h2>${t('users.add')}</h2>
        <form @submit=${(ev: SubmitEvent) => void this.add(ev)}>
          <label>${t('fields.username')}<input name="username" required maxlength="64" autocomplete="off"></label>
          <fieldset class="choice">
            <legend>${t('account.roles')}</legend>
            ${ROLES.map((r) => html`<label class="inline"><input type="checkbox" name="roles" value=${r}>${t(`roles.${r}`)}</label>`)}
          </fieldset>
          <label>${t('users.email')}<input name="email" type="email" maxlength="200"></label>
          <label>${t('users.sources')}<input name="allowed_sources" maxlength="2000" placeholder="10.20.0.0/16"></label>
          <button type="submit" class="primary">${t('users.create')}</button>
        </form>
        ${errorBox(this.formError)}
        ${e
          ? html`<div class="notice" role="status" data-testid="enrolment">
              <p>${t('users.link_for', { user: e.username, expires: formatTime(e.expires) })}</p>
              <p><code data-testid="enrolment-link">${link}</code></p>
              <p class="hint">${t('users.link_hint')}</p>
            </div>`
          : nothing}
      </section>
      ${this.tokensOf ? html`<token-panel .username=${this.tokensOf}></token-panel>` : nothing}
      <section class="card">
        <h2>${t('users.accounts')}</h2>
        <table data-testid="accounts">
          <thead><tr><th>${t('fields.username')}</th><th>${t('account.roles')}</th><th>${t('users.state')}</th>
            <th>${t('users.last_login')}</th><th>${t('users.granted_by')}</th><th>${t('users.actions')}</th></tr></thead>
          <tbody>
            ${this.accounts.map(
              (a) => html`<tr>
                <td>${a.username}</td>
                <td>${a.roles.map((r) => t(`roles.${r}`)).join(', ')}</td>
                <td>${a.disabled ? t('users.disabled') : t('users.active')}</td>
                <td>${formatTime(a.last_login)}</td>
                <td>${a.granted_by || '—'}</td>
                <td class="actions">
                  <button type="button" @click=${() => void this.act(a, 'unlock')}>${t('users.unlock')}</button>
                  ${a.disabled
                    ? html`<button type="button" @click=${() => void this.act(a, 'enable')}>${t('users.enable')}</button>`
                    : html`<button type="button" @click=${() => void this.act(a, 'disable')}>${t('users.disable')}</button>`}
                  <button type="button" @click=${() => void this.act(a, 'reset')}>${t('users.reset')}</button>
                  ${a.roles.some((r) => r === 'line_client' || r === 'haulier_client')
                    ? html`<button type="button" @click=${() => { this.tokensOf = a.username; this.requestUpdate(); }}>${t('tokens.open')}</button>`
                    : nothing}
                </td>
              </tr>`,
            )}
          </tbody>
        </table>
      </section>
    `;
  }
}

customElements.define('page-users', UsersPage);
