// Privileged changes under the two-person rule (G2.1.1-h, G2.1.3): a user administrator
// requests a change of an account's roles or rules (or a role's rules, or a vendor's
// maintenance window); a security officer — never the requester — approves or rejects it; the
// requester then executes it, before it expires. Each step is the API's, audited.
import { html, nothing } from 'lit';
import { api, seg } from '../lib/api';
import { formatTime, t } from '../lib/i18n';
import { Page } from '../lib/page';
import { can, session } from '../lib/session';
import { errorBox } from '../components/error-box';

interface Approval {
  id: number;
  kind: string;
  target: string;
  change: unknown;
  reason: string;
  requested_by: string;
  requested_at: string;
  expires_at: string;
  status: string;
  decided_by: string;
  decided_at: string;
  note: string;
  executed_at: string;
}

// Approved requests that are used by their own command, not executed here: a scan override by
// the intake of its file, a media checkout by the asset manager's hand-out.
// Used by their own commands, not executed here (a configuration change is applied on the
// configuration page).
const USED_ELSEWHERE = ['media.scan_override', 'media.checkout', 'config.change'];

export class ApprovalsPage extends Page {
  private approvals: Approval[] = [];
  private error: unknown = null;
  private formError: unknown = null;
  private message = '';

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load(): Promise<void> {
    try {
      this.approvals = (await api.get<{ approvals: Approval[] }>('/api/v1/approvals')).approvals;
    } catch (e) {
      this.error = e;
    }
    this.requestUpdate();
  }

  private async request(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const d = new FormData(form);
    const roles = String(d.get('roles') ?? '').split(/[\s,]+/).filter(Boolean);
    this.formError = null;
    try {
      await api.post('/api/v1/approvals', {
        kind: 'user.access',
        username: String(d.get('username') ?? '').trim(),
        roles,
        reason: String(d.get('reason') ?? '').trim(),
      });
      form.reset();
      this.message = t('approvals.requested');
      await this.load();
    } catch (e) {
      this.formError = e;
      this.requestUpdate();
    }
  }

  private async step(a: Approval, step: 'approve' | 'reject' | 'execute'): Promise<void> {
    this.error = null;
    this.message = '';
    try {
      const body = step === 'execute' ? {} : { note: prompt(t('approvals.note')) ?? '' };
      await api.post(`/api/v1/approvals/${seg(a.id)}/${step}`, body);
      this.message = t(`approvals.done_${step}`, { id: a.id });
      await this.load();
    } catch (e) {
      this.error = e;
      this.requestUpdate();
    }
  }

  override render() {
    const me = session()?.username ?? '';
    return html`
      <h1>${t('approvals.title')}</h1>
      <p>${t('approvals.rule')}</p>
      ${this.message ? html`<p class="notice" role="status" data-testid="approvals-message">${this.message}</p>` : nothing}
      ${errorBox(this.error)}
      ${can('user.admin')
        ? html`<section class="card">
            <h2>${t('approvals.request_title')}</h2>
            <form @submit=${(e: SubmitEvent) => void this.request(e)}>
              <label>${t('fields.username')}<input name="username" required maxlength="64"></label>
              <label>${t('approvals.new_roles')}<input name="roles" required maxlength="300" placeholder="planner, gate_clerk"></label>
              <label>${t('fields.reason')}<input name="reason" required maxlength="200"></label>
              <button type="submit" class="primary">${t('approvals.request')}</button>
            </form>
            ${errorBox(this.formError)}
          </section>`
        : nothing}
      <section class="card">
        <h2>${t('approvals.inbox')}</h2>
        <table data-testid="approvals">
          <thead><tr><th>#</th><th>${t('approvals.change')}</th><th>${t('fields.reason')}</th><th>${t('approvals.requested_by')}</th>
            <th>${t('approvals.expires')}</th><th>${t('approvals.status')}</th><th>${t('users.actions')}</th></tr></thead>
          <tbody>
            ${this.approvals.map(
              (a) => html`<tr data-id=${a.id}>
                <td>${a.id}</td>
                <td>${a.kind} ${a.target}<br><code class="hint">${JSON.stringify(a.change)}</code></td>
                <td>${a.reason}</td>
                <td>${a.requested_by}<br><span class="hint">${formatTime(a.requested_at)}</span></td>
                <td>${formatTime(a.expires_at)}</td>
                <td>${t(`approvals.state.${a.status}`)}${a.decided_by ? html`<br><span class="hint">${a.decided_by} ${a.note}</span>` : nothing}</td>
                <td class="actions">
                  ${a.status === 'pending' && can('change.approve') && a.requested_by !== `user:${me}`
                    ? html`<button type="button" @click=${() => void this.step(a, 'approve')}>${t('approvals.approve')}</button>
                        <button type="button" @click=${() => void this.step(a, 'reject')}>${t('approvals.reject')}</button>`
                    : nothing}
                  ${a.status === 'approved' && can('user.admin') && !USED_ELSEWHERE.includes(a.kind)
                    ? html`<button type="button" @click=${() => void this.step(a, 'execute')}>${t('approvals.execute')}</button>`
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

customElements.define('page-approvals', ApprovalsPage);
