// Login: user name and password with one second factor — a code from the authenticator app
// (TOTP), a security key or platform authenticator (WebAuthn), or a recovery code (G2.1.1-b).
// The answers say plainly what happened: a failed login (one sentence for every cause a
// guesser could learn from, with the lockout rule), a locked account (to whoever knows the
// password, with until when), a blocked address. After the login the user goes back to where
// they were (?next=).
import { html, nothing } from 'lit';
import { api, ApiError } from '../lib/api';
import { formatTime, t } from '../lib/i18n';
import { takeNotice } from '../lib/notice';
import { Page } from '../lib/page';
import { navigate } from '../lib/router';
import { loadSession } from '../lib/session';
import { assertForLogin, webauthnAvailable } from '../lib/webauthn';
import { errorBox } from '../components/error-box';

type Method = 'totp' | 'webauthn' | 'recovery';

// The time an API sentence gives ("... until 2026-12-07T05:50:00Z ..."), in terminal time.
function untilIn(message: string): string {
  const m = /until (\d{4}-\d{2}-\d{2}T[0-9:.]+Z)/.exec(message);
  return m ? formatTime(m[1]) : '';
}

export class LoginPage extends Page {
  private method: Method = 'totp';
  private busy = false;
  private error: unknown = null;
  private problem = ''; // a message key for answers that are not plain errors
  private until = '';
  private notice = takeNotice();

  private async submit(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const data = new FormData(form);
    const username = String(data.get('username') ?? '').trim();
    const password = String(data.get('password') ?? '');
    this.busy = true;
    this.error = null;
    this.problem = '';
    this.notice = '';
    this.requestUpdate();
    try {
      const body: Record<string, string> = { username, password };
      if (this.method === 'totp') body.totp = String(data.get('totp') ?? '').replace(/\s/g, '');
      if (this.method === 'recovery') body.recovery_code = String(data.get('recovery_code') ?? '').trim();
      if (this.method === 'webauthn') Object.assign(body, await assertForLogin(username));
      await api.post('/api/v1/session', body, { anonymous: true });
      await loadSession();
      const next = new URLSearchParams(location.search).get('next');
      // Only a path of this console: never another origin.
      navigate(next && next.startsWith('/') && !next.startsWith('//') ? next : '/', true);
      return;
    } catch (e) {
      this.explain(e);
      const pw = form.querySelector<HTMLInputElement>('input[name=password]');
      if (pw) pw.value = '';
    } finally {
      this.busy = false;
      this.requestUpdate();
    }
  }

  private explain(e: unknown): void {
    if (e instanceof ApiError) {
      if (e.status === 401) {
        this.problem = 'login.failed';
        return;
      }
      if (e.status === 403 && e.field === 'account') {
        this.problem = 'login.locked';
        this.until = untilIn(e.message);
        return;
      }
      if (e.status === 429 && e.field === 'source') {
        this.problem = 'login.source_blocked';
        this.until = untilIn(e.message);
        return;
      }
      if (e.code === 'network') {
        this.problem = 'login.no_answer';
        return;
      }
    }
    if (e instanceof DOMException) {
      // The browser's WebAuthn dialog was cancelled or timed out, or no key matched.
      this.problem = 'login.webauthn_cancelled';
      return;
    }
    this.error = e;
  }

  private pick(m: Method): void {
    this.method = m;
    this.problem = '';
    this.error = null;
    this.requestUpdate();
  }

  override render() {
    const methods: Method[] = webauthnAvailable() ? ['totp', 'webauthn', 'recovery'] : ['totp', 'recovery'];
    return html`
      <section class="narrow">
        <h1>${t('login.title')}</h1>
        ${this.notice ? html`<p class="notice" role="status" data-testid="notice">${t(this.notice)}</p>` : nothing}
        <form @submit=${(e: SubmitEvent) => void this.submit(e)} novalidate>
          <label>${t('fields.username')}
            <input name="username" autocomplete="username" required maxlength="64" autofocus>
          </label>
          <label>${t('fields.password')}
            <input name="password" type="password" autocomplete="current-password" required maxlength="1024">
          </label>
          <fieldset class="choice">
            <legend>${t('login.second_factor')}</legend>
            ${methods.map(
              (m) => html`<label class="inline">
                <input type="radio" name="method" value=${m} .checked=${this.method === m}
                  @change=${() => this.pick(m)}>
                ${t(`login.method.${m}`)}
              </label>`,
            )}
          </fieldset>
          ${this.method === 'totp'
            ? html`<label>${t('fields.totp')}
                <input name="totp" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9 ]*"
                  maxlength="8" required>
              </label>`
            : nothing}
          ${this.method === 'recovery'
            ? html`<label>${t('fields.recovery_code')}
                <input name="recovery_code" autocomplete="off" maxlength="32" required>
              </label>`
            : nothing}
          ${this.method === 'webauthn' ? html`<p class="hint">${t('login.webauthn_hint')}</p>` : nothing}
          <button type="submit" class="primary" ?disabled=${this.busy}>${t('login.submit')}</button>
        </form>
        ${this.problem
          ? html`<div class="error" role="alert" data-testid="login-problem">
              <strong>${t(this.problem, { until: this.until })}</strong>
              ${this.problem === 'login.failed' ? html`<div>${t('login.lockout_rule')}</div>` : nothing}
            </div>`
          : nothing}
        ${errorBox(this.error)}
        <p class="hint">${t('login.enrol_hint')}</p>
      </section>
    `;
  }
}

customElements.define('page-login', LoginPage);
