// Who may log in from where, for security staff: the source addresses blocked now after
// repeated failed logins (G2.2.2-f; they end by themselves, and a user administrator can end
// one early with a reason, recorded), and each role's login rules — allowed source networks
// (G2.1.1-a) and login hours (G2.2.1-d). A role rule changes only under the two-person rule:
// the form here requests it, a security officer approves it on the approvals screen.
import { html, nothing } from 'lit';
import { api } from '../lib/api';
import { formatTime, t } from '../lib/i18n';
import { LivePage } from '../lib/page';
import { can } from '../lib/session';
import { errorBox } from '../components/error-box';
import { ROLES } from '../lib/roles';

interface Block {
  source: string;
  until: string;
}
interface Policy {
  threshold: number;
  window_s: number;
  block_s: number;
}
interface RoleRule {
  role: string;
  allowed_sources: string;
  login_window: string;
  updated: string;
  granted_by: string;
}

export class SourcesPage extends LivePage {
  // A new block (or one ended by a colleague) shows without a reload.
  protected readonly topics = ['alerts'];
  private blocks: Block[] = [];
  private policy: Policy | null = null;
  private rules: RoleRule[] = [];

  protected async load(): Promise<void> {
    await Promise.all([
      this.loadPart('blocks', () => api.get<{ blocks: Block[]; policy: Policy }>('/api/v1/source-blocks'), (v) => {
        this.blocks = v.blocks;
        this.policy = v.policy;
      }),
      this.loadPart('rules', () => api.get<{ rules: RoleRule[] }>('/api/v1/role-rules'), (v) => (this.rules = v.rules)),
    ]);
    this.requestUpdate();
  }

  private async unblock(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const d = new FormData(form);
    const source = String(d.get('source') ?? '');
    this.message = '';
    try {
      await api.post('/api/v1/source-blocks/unblock', { source, reason: String(d.get('reason') ?? '').trim() });
      this.message = t('sources.unblocked', { source });
      form.reset();
    } catch (e) {
      this.errors = { ...this.errors, blocks: e };
    }
    await this.load();
  }

  private async requestRule(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const d = new FormData(form);
    const text = (k: string) => String(d.get(k) ?? '').trim();
    this.message = '';
    try {
      const r = await api.post<{ id: number }>('/api/v1/approvals', {
        kind: 'role.rule',
        role: text('role'),
        allowed_sources: text('allowed_sources'),
        login_window: text('login_window'),
        reason: text('reason'),
      });
      this.message = t('sources.requested', { id: r.id });
      form.reset();
      this.errors = { ...this.errors, request: null };
    } catch (e) {
      this.errors = { ...this.errors, request: e };
    }
    this.requestUpdate();
  }

  override render() {
    const admin = can('user.admin');
    return html`
      <h1>${t('sources.title')}</h1>
      ${this.message ? html`<p class="notice" role="status" data-testid="sources-message">${this.message}</p>` : nothing}
      <section class="card" aria-labelledby="blocks-title">
        <h2 id="blocks-title">${t('sources.blocks')}</h2>
        ${this.policy
          ? html`<p class="hint">${t('sources.blocks_hint', {
              n: this.policy.threshold,
              window: Math.round(this.policy.window_s / 60),
              block: Math.round(this.policy.block_s / 60),
            })}</p>`
          : nothing}
        ${errorBox(this.errors.blocks, 'blocks-error')}
        ${this.blocks.length === 0
          ? html`<p data-testid="no-blocks">${t('sources.no_blocks')}</p>`
          : html`<table data-testid="blocks">
              <thead><tr><th>${t('sources.source')}</th><th>${t('sources.until')}</th></tr></thead>
              <tbody>${this.blocks.map((b) => html`<tr><td><code>${b.source}</code></td><td>${formatTime(b.until, true)}</td></tr>`)}</tbody>
            </table>
            ${admin
              ? html`<form class="row" @submit=${(e: SubmitEvent) => void this.unblock(e)} data-testid="unblock-form">
                  <label>${t('sources.source')}
                    <select name="source" required>${this.blocks.map((b) => html`<option value=${b.source}>${b.source}</option>`)}</select></label>
                  <label>${t('fields.reason')}<input name="reason" required maxlength="200"></label>
                  <button type="submit">${t('sources.unblock')}</button>
                </form>`
              : nothing}`}
      </section>
      <section class="card" aria-labelledby="rules-title">
        <h2 id="rules-title">${t('sources.rules')}</h2>
        <p class="hint">${t('sources.rules_hint')}</p>
        ${errorBox(this.errors.rules, 'rules-error')}
        ${this.rules.length === 0
          ? html`<p>${t('sources.no_rules')}</p>`
          : html`<table data-testid="role-rules">
              <thead><tr><th>${t('sources.role')}</th><th>${t('fields.allowed_sources')}</th><th>${t('fields.login_window')}</th>
                <th>${t('sources.updated')}</th><th>${t('users.granted_by')}</th></tr></thead>
              <tbody>${this.rules.map(
                (r) => html`<tr><td>${t(`roles.${r.role}`)}</td><td><code>${r.allowed_sources || t('sources.any_source')}</code></td>
                  <td><code>${r.login_window || t('sources.any_time')}</code></td><td>${formatTime(r.updated)}</td><td>${r.granted_by}</td></tr>`,
              )}</tbody>
            </table>`}
        ${admin
          ? html`<form @submit=${(e: SubmitEvent) => void this.requestRule(e)} data-testid="rule-form">
              <h3>${t('sources.request_title')}</h3>
              <label>${t('sources.role')}
                <select name="role" required>${ROLES.map((r) => html`<option value=${r}>${t(`roles.${r}`)}</option>`)}</select></label>
              <label>${t('fields.allowed_sources')}
                <input name="allowed_sources" maxlength="2000" placeholder="10.20.0.0/16, 192.0.2.7" autocomplete="off" spellcheck="false"
                  aria-describedby="sources-format"></label>
              <span class="hint" id="sources-format">${t('sources.sources_format')}</span>
              <label>${t('fields.login_window')}
                <input name="login_window" maxlength="400" placeholder="mon-fri 07:00-19:00; sat 08:00-12:00" autocomplete="off" spellcheck="false"
                  aria-describedby="window-format"></label>
              <span class="hint" id="window-format">${t('sources.window_format')}</span>
              <label>${t('fields.reason')}<input name="reason" required maxlength="200"></label>
              ${errorBox(this.errors.request, 'rule-error')}
              <button type="submit" class="primary">${t('sources.request')}</button>
            </form>`
          : nothing}
      </section>
    `;
  }
}

customElements.define('page-sources', SourcesPage);
