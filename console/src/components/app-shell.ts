// The shell around every screen: the header (terminal, menu of the screens the user's roles
// allow, language switch, account, the session's idle countdown), and the screen of the
// current path. With no session, only the public screens (login, enrolment) open; any other
// path goes to the login, which comes back to that path afterwards. A session that ends (idle
// timeout, logout elsewhere, server restart) is noticed by the next call or by the countdown.
import { html, nothing } from 'lit';
import { api, lastActivityMs } from '../lib/api';
import { chooseLanguage, currentLang, setLang, t, type Lang } from '../lib/i18n';
import { Page } from '../lib/page';
import { allowed, findRoute, navigate, onLinkClick, routes, type Route } from '../lib/router';
import { setNotice } from '../lib/notice';
import { clearSession, loadSession, session } from '../lib/session';

export class AppShell extends Page {
  private route: Route | undefined;
  private screen: HTMLElement | null = null;
  private ready = false;
  private idleLeftS = 0;
  private timer = 0;

  private readonly onNavigate = () => void this.show();
  private readonly onUnauthenticated = () => this.sessionEnded('login.ended');

  override connectedCallback(): void {
    super.connectedCallback();
    setLang(chooseLanguage(), false);
    window.addEventListener('popstate', this.onNavigate);
    window.addEventListener('minato:navigate', this.onNavigate);
    window.addEventListener('minato:unauthenticated', this.onUnauthenticated);
    this.addEventListener('click', onLinkClick);
    this.timer = window.setInterval(() => this.tick(), 1000);
    void this.start();
  }

  override disconnectedCallback(): void {
    window.removeEventListener('popstate', this.onNavigate);
    window.removeEventListener('minato:navigate', this.onNavigate);
    window.removeEventListener('minato:unauthenticated', this.onUnauthenticated);
    window.clearInterval(this.timer);
    super.disconnectedCallback();
  }

  private async start(): Promise<void> {
    // The screen's code (and the login's, needed if there is no session) is fetched while the
    // session is asked for, not after.
    void findRoute(location.pathname)?.load();
    void findRoute('/login')?.load();
    try {
      await loadSession();
    } catch {
      setNotice('errors.network');
    }
    this.ready = true;
    await this.show();
  }

  // Renders the screen of the current path (after the login when there is no session).
  private async show(): Promise<void> {
    const s = session();
    let route = findRoute(location.pathname);
    if (!route) {
      navigate('/', true);
      return;
    }
    if (!route.public && !s) {
      const next = location.pathname + location.search;
      navigate(`/login${next === '/' ? '' : `?next=${encodeURIComponent(next)}`}`, true);
      return;
    }
    if (s && s.password_expired && route.path !== '/account' && !route.public) {
      navigate('/account?expired=1', true);
      return;
    }
    if (s && !allowed(route, s.permissions)) {
      setNotice('errors.not_allowed');
      route = findRoute('/');
      if (location.pathname !== '/') history.replaceState(null, '', '/');
    }
    if (!route) return;
    await route.load();
    if (route !== this.route || location.pathname + location.search !== this.screen?.dataset.url) {
      this.screen = document.createElement(route.tag);
      this.screen.dataset.url = location.pathname + location.search;
    }
    this.route = route;
    document.title = `${t(route.title)} — Minato`;
    this.requestUpdate();
    await this.updateComplete;
    // Keyboard and screen-reader users land on the new screen's heading.
    const heading = this.querySelector<HTMLElement>('main h1');
    heading?.setAttribute('tabindex', '-1');
    heading?.focus({ preventScroll: true });
  }

  private sessionEnded(messageKey: string): void {
    if (!session()) return;
    clearSession();
    setNotice(messageKey);
    const here = location.pathname + location.search;
    navigate(`/login?next=${encodeURIComponent(here)}`, true);
  }

  // Seconds until the server ends the session for idleness (idle_timeout_s after the last call).
  private idleLeft(): number {
    const s = session();
    if (!s) return 0;
    return Math.max(0, Math.round(s.idle_timeout_s - (Date.now() - lastActivityMs()) / 1000));
  }

  // The idle countdown: redrawn when the minutes shown change; at zero, the login.
  private tick(): void {
    if (!session() || this.route?.public) return;
    const left = this.idleLeft();
    if (Math.ceil(left / 60) !== Math.ceil(this.idleLeftS / 60)) this.requestUpdate();
    this.idleLeftS = left;
    if (left === 0) this.sessionEnded('login.idle');
  }

  private async logout(): Promise<void> {
    try {
      await api.del('/api/v1/session');
    } catch {
      // Already ended: the login follows either way.
    }
    clearSession();
    setNotice('login.logged_out');
    navigate('/login', true);
  }

  private switchLang(l: Lang): void {
    setLang(l);
    if (this.route) document.title = `${t(this.route.title)} — Minato`;
  }

  override render() {
    if (!this.ready) return html`<p class="loading">…</p>`;
    const s = session();
    const nav = s ? routes.filter((r) => r.nav && allowed(r, s.permissions)) : [];
    const lang = currentLang();
    this.idleLeftS = this.idleLeft();
    const minutes = Math.ceil(this.idleLeftS / 60);
    return html`
      <a class="skip" href="#main">${t('shell.skip')}</a>
      <header class="top">
        <a class="brand" href="/">${s ? s.terminal.name : 'Minato'}</a>
        ${s
          ? html`<nav aria-label=${t('shell.menu')}>
              <ul>
                ${nav.map(
                  (r) => html`<li>
                    <a href=${r.path} aria-current=${this.route === r ? 'page' : nothing}>${t(r.title)}</a>
                  </li>`,
                )}
              </ul>
            </nav>`
          : nothing}
        <div class="tools">
          <div class="lang" role="group" aria-label=${t('shell.language')}>
            <button type="button" lang="ja" aria-pressed=${lang === 'ja'} @click=${() => this.switchLang('ja')}>日本語</button>
            <button type="button" lang="en" aria-pressed=${lang === 'en'} @click=${() => this.switchLang('en')}>English</button>
          </div>
          ${s
            ? html`<span class="idle" data-testid="idle" title=${t('shell.idle_help')}>${t('shell.idle', { minutes })}</span>
                <a href="/account" data-testid="account-link">${s.username}</a>
                <button type="button" data-testid="logout" @click=${() => void this.logout()}>${t('shell.logout')}</button>`
            : nothing}
        </div>
      </header>
      <main id="main" tabindex="-1">${this.screen ?? nothing}</main>
    `;
  }
}

customElements.define('minato-app', AppShell);

declare global {
  interface HTMLElementTagNameMap {
    'minato-app': AppShell;
  }
}
