// Sensitive operations (a credential change, G2.1.2-a) need a second factor proved within the
// last minutes. withStepUp runs the call; when the API answers that a fresh proof is needed
// (field "step_up"), it asks for one in a modal dialog (an authenticator code or a security
// key), posts it, and runs the call once more.
import { html, render } from 'lit';
import { api, ApiError } from './api';
import { t } from './i18n';
import { assertForLogin, webauthnAvailable } from './webauthn';
import { session } from './session';

function ask(): Promise<Record<string, string> | null> {
  return new Promise((resolve) => {
    const dialog = document.createElement('dialog');
    dialog.setAttribute('aria-labelledby', 'step-up-title');
    dialog.dataset.testid = 'step-up';
    document.body.append(dialog);
    const done = (v: Record<string, string> | null) => {
      dialog.close();
      dialog.remove();
      resolve(v);
    };
    const submit = (e: SubmitEvent) => {
      e.preventDefault();
      const code = String(new FormData(e.target as HTMLFormElement).get('totp') ?? '').replace(/\s/g, '');
      done({ totp: code });
    };
    const useKey = async () => {
      try {
        done({ ...(await assertForLogin(session()?.username ?? '')) });
      } catch {
        done(null);
      }
    };
    render(
      html`<form @submit=${submit}>
        <h2 id="step-up-title">${t('stepup.title')}</h2>
        <p>${t('stepup.why')}</p>
        <label>${t('fields.totp')}
          <input name="totp" inputmode="numeric" autocomplete="one-time-code" maxlength="8" autofocus>
        </label>
        <div class="actions">
          <button type="submit" class="primary">${t('stepup.confirm')}</button>
          ${webauthnAvailable()
            ? html`<button type="button" @click=${() => void useKey()}>${t('stepup.key')}</button>`
            : ''}
          <button type="button" @click=${() => done(null)}>${t('common.cancel')}</button>
        </div>
      </form>`,
      dialog,
    );
    dialog.addEventListener('cancel', () => done(null));
    dialog.showModal();
  });
}

export async function withStepUp<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (!(e instanceof ApiError) || e.field !== 'step_up') throw e;
    const proof = await ask();
    if (!proof) throw e;
    await api.post('/api/v1/session/step-up', proof);
    return fn();
  }
}
