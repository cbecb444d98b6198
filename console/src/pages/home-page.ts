// The start screen: the screens the user's roles open, and the yard's occupancy at a glance
// for those who may read the terminal.
import { html, nothing } from 'lit';
import { api } from '../lib/api';
import { formatNumber, t } from '../lib/i18n';
import { takeNotice } from '../lib/notice';
import { Page } from '../lib/page';
import { allowed, routes } from '../lib/router';
import { can, session } from '../lib/session';
import { errorBox } from '../components/error-box';

interface Occupancy {
  capacity_teu: number;
  used_teu: number;
  units: number;
}

export class HomePage extends Page {
  private occupancy: Occupancy | null = null;
  private error: unknown = null;
  private notice = takeNotice();

  override connectedCallback(): void {
    super.connectedCallback();
    if (can('terminal.read')) {
      api
        .get<Occupancy>('/api/v1/yard/occupancy')
        .then((o) => {
          this.occupancy = o;
          this.requestUpdate();
        })
        .catch((e: unknown) => {
          this.error = e;
          this.requestUpdate();
        });
    }
  }

  override render() {
    const s = session();
    if (!s) return nothing;
    const screens = routes.filter((r) => r.nav && allowed(r, s.permissions));
    const o = this.occupancy;
    return html`
      <h1>${t('home.title')}</h1>
      ${this.notice ? html`<p class="notice" role="status">${t(this.notice)}</p>` : nothing}
      <p>${t('home.hello', { user: s.username })}</p>
      ${o
        ? html`<section class="card">
            <h2>${t('home.yard')}</h2>
            <p data-testid="occupancy">${t('home.occupancy', {
              used: formatNumber(o.used_teu),
              capacity: formatNumber(o.capacity_teu),
              units: formatNumber(o.units),
              percent: formatNumber(Math.round((o.used_teu / Math.max(1, o.capacity_teu)) * 100)),
            })}</p>
          </section>`
        : nothing}
      ${errorBox(this.error)}
      <ul class="tiles">
        ${screens.map((r) => html`<li><a href=${r.path}>${t(r.title)}</a></li>`)}
        <li><a href="/account">${t('account.title')}</a></li>
      </ul>
    `;
  }
}

customElements.define('page-home', HomePage);
