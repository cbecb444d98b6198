// My account: who I am and what my roles allow; change my password (and a password that has
// expired, G2.2.2-c); my authenticators (add a security key or platform authenticator, remove
// one), recovery codes (made anew and shown once); my live sessions (end one) and my recent
// logins (G2.2.2-e); and "my credentials are compromised" (G2.1.2-b), which disables the
// account and ends every session at once. Credential changes ask for a fresh second factor.
import { html, nothing } from 'lit';
import { api, seg } from '../lib/api';
import { formatTime, t } from '../lib/i18n';
import { setNotice } from '../lib/notice';
import { Page } from '../lib/page';
import { navigate } from '../lib/router';
import { clearSession, loadSession, session } from '../lib/session';
import { withStepUp } from '../lib/step-up';
import { registerAuthenticator, webauthnAvailable } from '../lib/webauthn';
import { errorBox } from '../components/error-box';
import { passwordChecks, passwordPolicy, passwordRules, type PasswordPolicy } from '../components/password-rules';

interface Authenticator {
  id: number;
  name: string;
  alg: string;
  created: string;
  last_used: string;
}
interface LiveSession {
  id: string;
  source: string;
  created: string;
  last_seen: string;
  current: boolean;
}
interface Login {
  at: string;
  source: string;
  result: string;
  detail: string;
}

export class AccountPage extends Page {
  private policy: PasswordPolicy | null = null;
  private newPassword = '';
  private confirm = '';
  private authenticators: Authenticator[] = [];
  private renaming = 0; // the authenticator whose name is being edited
  private sessions: LiveSession[] = [];
  private logins: Login[] = [];
  private codesLeft = 0;
  private newCodes: string[] = [];
  private message = '';
  private errors: Record<string, unknown> = {};

  override connectedCallback(): void {
    super.connectedCallback();
    passwordPolicy()
      .then((p) => {
        this.policy = p;
        this.requestUpdate();
      })
      .catch((e: unknown) => this.fail('password', e));
    void this.refresh();
  }

  private fail(section: string, e: unknown): void {
    this.errors = { ...this.errors, [section]: e };
    this.requestUpdate();
  }

  private async refresh(): Promise<void> {
    if (session()?.password_expired) return; // only the password change is allowed
    const load = async <T>(section: string, fn: () => Promise<T>, apply: (v: T) => void) => {
      try {
        apply(await fn());
      } catch (e) {
        this.fail(section, e);
      }
    };
    await Promise.all([
      load('keys', () => api.get<{ authenticators: Authenticator[] }>('/api/v1/session/webauthn'), (v) => {
        this.authenticators = v.authenticators;
      }),
      load('codes', () => api.get<{ unused: number }>('/api/v1/session/recovery-codes'), (v) => {
        this.codesLeft = v.unused;
      }),
      load('sessions', () => api.get<{ sessions: LiveSession[] }>('/api/v1/session/sessions'), (v) => {
        this.sessions = v.sessions;
      }),
      load('history', () => api.get<{ logins: Login[] }>('/api/v1/session/history'), (v) => {
        this.logins = v.logins;
      }),
    ]);
    this.requestUpdate();
  }

  private async act(section: string, fn: () => Promise<unknown>, done: string): Promise<boolean> {
    this.errors = { ...this.errors, [section]: null };
    this.message = '';
    this.requestUpdate();
    try {
      await withStepUp(fn);
      this.message = done;
      await this.refresh();
      return true;
    } catch (e) {
      this.fail(section, e);
      return false;
    }
  }

  private async changePassword(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const current = String(new FormData(form).get('current') ?? '');
    const ok = await this.act(
      'password',
      () => api.post('/api/v1/session/password', { current_password: current, new_password: this.newPassword }),
      'account.password_changed',
    );
    if (ok) {
      form.reset();
      this.newPassword = '';
      this.confirm = '';
      await loadSession();
      this.requestUpdate();
    }
  }

  private async addKey(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const name = String(new FormData(form).get('name') ?? '').trim();
    if (await this.act('keys', () => registerAuthenticator(name), 'account.key_added')) form.reset();
  }

  private async renameKey(event: SubmitEvent, k: Authenticator): Promise<void> {
    event.preventDefault();
    const name = String(new FormData(event.target as HTMLFormElement).get('new_name') ?? '').trim();
    if (await this.act('keys', () => api.patch(`/api/v1/session/webauthn/${seg(k.id)}`, { name }), 'account.key_renamed')) {
      this.renaming = 0;
      this.requestUpdate();
    }
  }

  private async removeKey(k: Authenticator): Promise<void> {
    if (!confirm(t('account.key_remove_confirm', { name: k.name }))) return;
    await this.act('keys', () => api.del(`/api/v1/session/webauthn/${seg(k.id)}`), 'account.key_removed');
  }

  private async newRecoveryCodes(): Promise<void> {
    await this.act(
      'codes',
      async () => {
        const r = await api.post<{ recovery_codes: string[] }>('/api/v1/session/recovery-codes', {});
        this.newCodes = r.recovery_codes;
      },
      'account.codes_made',
    );
  }

  private async endSession(s: LiveSession): Promise<void> {
    await this.act('sessions', () => api.del(`/api/v1/session/sessions/${seg(s.id)}`), 'account.session_ended');
  }

  private async compromised(): Promise<void> {
    if (!confirm(t('account.compromised_confirm'))) return;
    try {
      await api.post('/api/v1/session/compromised', {});
      clearSession();
      setNotice('account.compromised_done');
      navigate('/login', true);
    } catch (e) {
      this.fail('compromised', e);
    }
  }

  override render() {
    const s = session();
    if (!s) return nothing;
    const params = new URLSearchParams(location.search);
    const expired = s.password_expired || params.has('expired');
    const pwReady =
      !!this.policy && passwordChecks(this.policy, this.newPassword, this.confirm, s.username).every((c) => c.ok);
    return html`
      <h1>${t('account.title')}</h1>
      ${params.has('welcome') ? html`<p class="notice" role="status">${t('account.welcome')}</p>` : nothing}
      ${expired ? html`<p class="notice" role="alert" data-testid="expired">${t('account.expired')}</p>` : nothing}
      ${this.message ? html`<p class="notice" role="status" data-testid="account-message">${t(this.message)}</p>` : nothing}
      <section class="card">
        <h2>${t('account.profile')}</h2>
        <dl class="facts">
          <dt>${t('fields.username')}</dt><dd data-testid="whoami">${s.username}</dd>
          <dt>${t('account.roles')}</dt><dd>${s.roles.map((r) => t(`roles.${r}`)).join(', ')}</dd>
          <dt>${t('account.logged_in')}</dt><dd>${formatTime(s.created)}</dd>
          <dt>${t('account.idle_rule')}</dt><dd>${t('account.idle_minutes', { minutes: Math.round(s.idle_timeout_s / 60) })}</dd>
        </dl>
      </section>

      <section class="card">
        <h2>${t('account.password')}</h2>
        <form @submit=${(e: SubmitEvent) => void this.changePassword(e)}>
          <label>${t('fields.current_password')}
            <input name="current" type="password" autocomplete="current-password" required maxlength="1024">
          </label>
          <label>${t('fields.new_password')}
            <input name="new" type="password" autocomplete="new-password" required maxlength="1024"
              @input=${(e: InputEvent) => {
                this.newPassword = (e.target as HTMLInputElement).value;
                this.requestUpdate();
              }}>
          </label>
          <label>${t('fields.confirm_password')}
            <input name="confirm" type="password" autocomplete="new-password" required maxlength="1024"
              @input=${(e: InputEvent) => {
                this.confirm = (e.target as HTMLInputElement).value;
                this.requestUpdate();
              }}>
          </label>
          ${passwordRules(this.policy, this.newPassword, this.confirm, s.username)}
          <button type="submit" class="primary" ?disabled=${!pwReady}>${t('account.change_password')}</button>
        </form>
        ${errorBox(this.errors.password)}
      </section>

      ${expired
        ? nothing
        : html`
            <section class="card">
              <h2>${t('account.keys')}</h2>
              <table>
                <caption class="sr-only">${t('account.keys')}</caption>
                <thead><tr><th>${t('account.key_name')}</th><th>${t('account.key_alg')}</th>
                  <th>${t('account.key_added_at')}</th><th>${t('account.key_used_at')}</th><th></th></tr></thead>
                <tbody>
                  ${this.authenticators.length === 0
                    ? html`<tr><td colspan="5">${t('account.no_keys')}</td></tr>`
                    : this.authenticators.map(
                        (k) => html`<tr>
                          <td>${this.renaming === k.id
                            ? html`<form class="row" @submit=${(e: SubmitEvent) => void this.renameKey(e, k)} data-testid="rename-key">
                                <label>${t('account.key_new_name')}
                                  <input name="new_name" required maxlength="64" .value=${k.name}></label>
                                <button type="submit">${t('common.save')}</button>
                                <button type="button" @click=${() => { this.renaming = 0; this.requestUpdate(); }}>${t('common.cancel')}</button>
                              </form>`
                            : k.name}</td>
                          <td>${k.alg}</td><td>${formatTime(k.created)}</td>
                          <td>${formatTime(k.last_used)}</td>
                          <td class="row">
                            <button type="button" @click=${() => { this.renaming = k.id; this.requestUpdate(); }}
                              aria-label=${t('account.key_rename', { name: k.name })}>${t('account.rename')}</button>
                            <button type="button" @click=${() => void this.removeKey(k)}
                              aria-label=${t('account.key_remove', { name: k.name })}>${t('common.remove')}</button></td>
                        </tr>`,
                      )}
                </tbody>
              </table>
              ${webauthnAvailable()
                ? html`<form class="row" @submit=${(e: SubmitEvent) => void this.addKey(e)}>
                    <label>${t('account.key_name')}
                      <input name="name" required maxlength="64" placeholder=${t('account.key_name_example')}>
                    </label>
                    <button type="submit">${t('account.add_key')}</button>
                  </form>`
                : html`<p class="hint">${t('account.no_webauthn')}</p>`}
              ${errorBox(this.errors.keys)}
            </section>

            <section class="card">
              <h2>${t('account.codes')}</h2>
              <p>${t('account.codes_left', { n: this.codesLeft })}</p>
              ${this.newCodes.length
                ? html`<div class="notice" role="status">
                    <p>${t('account.codes_once')}</p>
                    <ol class="codes" data-testid="recovery-codes">${this.newCodes.map((c) => html`<li><code>${c}</code></li>`)}</ol>
                  </div>`
                : nothing}
              <button type="button" @click=${() => void this.newRecoveryCodes()}>${t('account.make_codes')}</button>
              ${errorBox(this.errors.codes)}
            </section>

            <section class="card">
              <h2>${t('account.sessions')}</h2>
              <table>
                <thead><tr><th>${t('account.source')}</th><th>${t('account.started')}</th>
                  <th>${t('account.last_seen')}</th><th></th></tr></thead>
                <tbody>
                  ${this.sessions.map(
                    (x) => html`<tr>
                      <td>${x.source}</td><td>${formatTime(x.created)}</td><td>${formatTime(x.last_seen)}</td>
                      <td>${x.current
                        ? t('account.this_session')
                        : html`<button type="button" @click=${() => void this.endSession(x)}>${t('account.end_session')}</button>`}</td>
                    </tr>`,
                  )}
                </tbody>
              </table>
              ${errorBox(this.errors.sessions)}
            </section>

            <section class="card">
              <h2>${t('account.history')}</h2>
              <table data-testid="login-history">
                <thead><tr><th>${t('account.when')}</th><th>${t('account.source')}</th>
                  <th>${t('account.result')}</th><th>${t('account.detail')}</th></tr></thead>
                <tbody>
                  ${this.logins.map(
                    (l) => html`<tr class=${l.result === 'success' ? '' : 'bad'}>
                      <td>${formatTime(l.at, true)}</td><td>${l.source}</td>
                      <td>${t(`account.result_${l.result === 'success' ? 'ok' : 'failed'}`)}</td>
                      <td lang="en">${l.detail}</td>
                    </tr>`,
                  )}
                </tbody>
              </table>
              ${errorBox(this.errors.history)}
            </section>

            <section class="card danger">
              <h2>${t('account.compromised')}</h2>
              <p>${t('account.compromised_help')}</p>
              <button type="button" class="danger" @click=${() => void this.compromised()}>${t('account.compromised_button')}</button>
              ${errorBox(this.errors.compromised)}
            </section>
          `}
    `;
  }
}

customElements.define('page-account', AccountPage);
