// Alerts for security staff (G2.1.1-f, G2.2.2-f, G2.7.2-b): every alert Minato raised — a login
// from a new source, an account locked, a source blocked, a backup overdue or failed, a
// recovery code used — as it went out by mail or webhook, with its delivery: sent, waiting for
// a retry, or given up (then its last error says why, and the alert must be passed on by
// hand). New alerts arrive live and are marked until the page is left. The read is recorded
// by the server (audit.read).
import { html, nothing } from 'lit';
import { api } from '../lib/api';
import { formatTime, t } from '../lib/i18n';
import { LivePage } from '../lib/page';
import { errorBox } from '../components/error-box';

interface Notification {
  id: number;
  channel: string;
  event: string;
  subject: string;
  recipients: string;
  created: string;
  state: 'sent' | 'queued' | 'abandoned';
  attempts: number;
  sent_at: string;
  last_error: string;
}
type Filter = 'all' | 'undelivered';

export class AlertsPage extends LivePage {
  protected readonly topics = ['alerts'];
  private alerts: Notification[] = [];
  private seenUpTo = -1; // the newest id when the page was opened; newer ones are marked
  private filter: Filter = 'all';
  private error: unknown = null;
  private announce = '';

  protected async load(): Promise<void> {
    try {
      const list = (await api.get<{ notifications: Notification[] }>('/api/v1/notifications')).notifications;
      const newest = list.reduce((m, n) => Math.max(m, n.id), 0);
      if (this.seenUpTo < 0) {
        this.seenUpTo = newest;
      } else {
        const fresh = list.filter((n) => n.id > this.seenUpTo).length;
        this.announce = fresh ? t('alerts.new', { n: fresh }) : '';
      }
      this.alerts = list;
      this.error = null;
    } catch (e) {
      this.error = e;
    }
    this.requestUpdate();
  }

  override render() {
    const shown = this.filter === 'all' ? this.alerts : this.alerts.filter((n) => n.state !== 'sent');
    const given = this.alerts.filter((n) => n.state === 'abandoned').length;
    return html`
      <h1>${t('alerts.title')}</h1>
      <p class="hint">${t('alerts.intro')}</p>
      <p role="status" aria-live="polite" data-testid="alerts-announce">${this.announce}</p>
      ${given ? html`<p class="problem" role="alert">${t('alerts.given_up', { n: given })}</p>` : nothing}
      ${errorBox(this.error, 'alerts-error')}
      <div class="tabs" role="group" aria-label=${t('alerts.show')}>
        ${(['all', 'undelivered'] as Filter[]).map(
          (f) => html`<button type="button" aria-pressed=${this.filter === f}
            @click=${() => { this.filter = f; this.requestUpdate(); }}>${t(`alerts.filter.${f}`)}</button>`,
        )}
      </div>
      ${shown.length === 0
        ? html`<p data-testid="no-alerts">${t('alerts.none')}</p>`
        : html`<table data-testid="outbox">
            <thead><tr><th>${t('audit.when')}</th><th>${t('security.event')}</th><th>${t('alerts.subject')}</th>
              <th>${t('security.channel')}</th><th>${t('security.recipients')}</th><th>${t('approvals.status')}</th>
              <th>${t('security.last_error')}</th></tr></thead>
            <tbody>${shown.map(
              (n) => html`<tr class=${n.state === 'sent' ? '' : 'bad'} data-event=${n.event}>
                <td>${formatTime(n.created, true)}${n.id > this.seenUpTo
                  ? html` <strong class="badge" data-testid="new-alert">${t('alerts.new_badge')}</strong>` : nothing}</td>
                <td><code>${n.event}</code></td><td>${n.subject}</td>
                <td>${n.channel}</td><td>${n.recipients}</td>
                <td>${t(`security.state.${n.state}`)} (${n.attempts})</td><td lang="en">${n.last_error}</td></tr>`,
            )}</tbody>
          </table>`}
    `;
  }
}

customElements.define('page-alerts', AlertsPage);
