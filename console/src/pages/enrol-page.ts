// The enrolment link (G2.1.1-d/i): the owner of a new account, or of one whose credentials were
// reset, chooses a password against the policy (checked as it is typed), receives the TOTP
// secret once — as a QR code for the authenticator app and as text — proves it with a first
// code, and is logged in; their account page then offers a security key and recovery codes.
// The token comes in the link's fragment (#token=...), which no server sees; it leaves the
// address bar at once.
import { html, nothing } from 'lit';
import { api } from '../lib/api';
import { t } from '../lib/i18n';
import { Page } from '../lib/page';
import { navigate } from '../lib/router';
import { loadSession } from '../lib/session';
import { errorBox } from '../components/error-box';
import { passwordChecks, passwordPolicy, passwordRules, type PasswordPolicy } from '../components/password-rules';

interface Enrolled {
  username: string;
  totp_secret: string;
  otpauth_uri: string;
  otpauth_qr_svg: string;
}

export class EnrolPage extends Page {
  private token = '';
  private policy: PasswordPolicy | null = null;
  private password = '';
  private confirm = '';
  private enrolled: Enrolled | null = null;
  private error: unknown = null;
  private busy = false;

  override connectedCallback(): void {
    super.connectedCallback();
    const m = /(?:^#|&)token=([A-Za-z0-9_-]{10,64})/.exec(location.hash);
    this.token = m ? m[1] : '';
    if (location.hash) history.replaceState(null, '', location.pathname);
    passwordPolicy()
      .then((p) => {
        this.policy = p;
        this.requestUpdate();
      })
      .catch((e: unknown) => {
        this.error = e;
        this.requestUpdate();
      });
  }

  private async choose(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    if (!this.policy || passwordChecks(this.policy, this.password, this.confirm).some((c) => !c.ok)) return;
    this.busy = true;
    this.error = null;
    this.requestUpdate();
    try {
      this.enrolled = await api.post<Enrolled>(
        '/api/v1/enrolment',
        { token: this.token, password: this.password },
        { anonymous: true },
      );
    } catch (e) {
      this.error = e;
    } finally {
      this.busy = false;
      this.requestUpdate();
    }
  }

  private async verify(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    if (!this.enrolled) return;
    const code = String(new FormData(event.target as HTMLFormElement).get('totp') ?? '').replace(/\s/g, '');
    this.busy = true;
    this.error = null;
    this.requestUpdate();
    try {
      await api.post(
        '/api/v1/session',
        { username: this.enrolled.username, password: this.password, totp: code },
        { anonymous: true },
      );
      this.password = '';
      this.confirm = '';
      await loadSession();
      navigate('/account?welcome=1', true);
    } catch (e) {
      this.error = e;
    } finally {
      this.busy = false;
      this.requestUpdate();
    }
  }

  override render() {
    if (!this.token && !this.enrolled) {
      return html`<section class="narrow"><h1>${t('enrol.title')}</h1>
        <p class="error" role="alert">${t('enrol.no_token')}</p></section>`;
    }
    if (this.enrolled) {
      const e = this.enrolled;
      const qr = `data:image/svg+xml;base64,${btoa(e.otpauth_qr_svg)}`;
      return html`<section class="narrow">
        <h1>${t('enrol.totp_title')}</h1>
        <p>${t('enrol.totp_scan', { user: e.username })}</p>
        <img class="qr" src=${qr} alt=${t('enrol.qr_alt')} width="220" height="220">
        <p>${t('enrol.totp_text')}</p>
        <p><code class="secret" data-testid="totp-secret">${e.totp_secret.replace(/(.{4})/g, '$1 ').trim()}</code></p>
        <p class="hint">${t('enrol.shown_once')}</p>
        <form @submit=${(ev: SubmitEvent) => void this.verify(ev)}>
          <label>${t('enrol.first_code')}
            <input name="totp" inputmode="numeric" autocomplete="one-time-code" maxlength="8" required>
          </label>
          <button type="submit" class="primary" ?disabled=${this.busy}>${t('enrol.verify')}</button>
        </form>
        ${errorBox(this.error)}
      </section>`;
    }
    const ready =
      !!this.policy && passwordChecks(this.policy, this.password, this.confirm).every((c) => c.ok);
    return html`<section class="narrow">
      <h1>${t('enrol.title')}</h1>
      <p>${t('enrol.intro')}</p>
      <form @submit=${(ev: SubmitEvent) => void this.choose(ev)}>
        <label>${t('fields.new_password')}
          <input name="password" type="password" autocomplete="new-password" maxlength="1024" required
            @input=${(ev: InputEvent) => {
              this.password = (ev.target as HTMLInputElement).value;
              this.requestUpdate();
            }}>
        </label>
        <label>${t('fields.confirm_password')}
          <input name="confirm" type="password" autocomplete="new-password" maxlength="1024" required
            @input=${(ev: InputEvent) => {
              this.confirm = (ev.target as HTMLInputElement).value;
              this.requestUpdate();
            }}>
        </label>
        ${passwordRules(this.policy, this.password, this.confirm)}
        <button type="submit" class="primary" ?disabled=${!ready || this.busy}>${t('enrol.submit')}</button>
      </form>
      ${errorBox(this.error)}
      ${nothing}
    </section>`;
  }
}

customElements.define('page-enrol', EnrolPage);
