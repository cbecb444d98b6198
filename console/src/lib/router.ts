// The console's screens by path, loaded when first opened (each screen is its own chunk, so
// the first screen ships only what it needs). History API paths ("/yard"); the server answers
// every such path with the console's page. A screen names the permission it needs: without it
// the screen is neither listed nor opened (the API would refuse its calls anyway).
export interface Route {
  path: string; // "/units" matches "/units" and "/units/..." (the rest is the screen's)
  tag: string; // the custom element of the screen
  title: string; // message key
  permission?: string; // needed to list and open it
  anyPermission?: string[]; // ... or any of these
  public?: boolean; // shown without a session (login, enrolment)
  nav?: 'work' | 'admin' | 'audit'; // where the menu lists it
  load: () => Promise<unknown>;
}

export const routes: Route[] = [
  { path: '/login', tag: 'page-login', title: 'login.title', public: true, load: () => import('../pages/login-page') },
  { path: '/enrol', tag: 'page-enrol', title: 'enrol.title', public: true, load: () => import('../pages/enrol-page') },
  { path: '/account', tag: 'page-account', title: 'account.title', permission: 'self', load: () => import('../pages/account-page') },
  { path: '/yard', tag: 'page-yard', title: 'yard.title', permission: 'terminal.read', nav: 'work', load: () => import('../pages/yard-page') },
  { path: '/units', tag: 'page-units', title: 'units.title', permission: 'terminal.read', nav: 'work', load: () => import('../pages/units-page') },
  { path: '/gate', tag: 'page-gate', title: 'gate.title', permission: 'gate.write', nav: 'work', load: () => import('../pages/gate-page') },
  { path: '/appointments', tag: 'page-appointments', title: 'appointments.title', anyPermission: ['gate.appointment', 'gate.plan'], nav: 'work', load: () => import('../pages/appointments-page') },
  { path: '/visits', tag: 'page-visits', title: 'visits.title', permission: 'terminal.read', nav: 'work', load: () => import('../pages/visits-page') },
  { path: '/edi', tag: 'page-edi', title: 'edi.title', permission: 'edi.import', nav: 'work', load: () => import('../pages/edi-page') },
  { path: '/users', tag: 'page-users', title: 'users.title', permission: 'user.admin', nav: 'admin', load: () => import('../pages/users-page') },
  { path: '/approvals', tag: 'page-approvals', title: 'approvals.title', anyPermission: ['user.admin', 'change.approve'], nav: 'admin', load: () => import('../pages/approvals-page') },
  { path: '/security', tag: 'page-security', title: 'security.title', anyPermission: ['access.review', 'audit.read', 'user.admin', 'change.approve'], nav: 'admin', load: () => import('../pages/security-page') },
  { path: '/incidents', tag: 'page-incidents', title: 'incidents.title', anyPermission: ['incident.manage', 'audit.read'], nav: 'admin', load: () => import('../pages/incidents-page') },
  { path: '/it-assets', tag: 'page-assets', title: 'assets.title', anyPermission: ['asset.manage', 'audit.read'], nav: 'admin', load: () => import('../pages/assets-page') },
  { path: '/software', tag: 'page-software', title: 'software.title', anyPermission: ['asset.manage', 'audit.read'], nav: 'admin', load: () => import('../pages/software-page') },
  { path: '/vulnerabilities', tag: 'page-vulnerabilities', title: 'vulns.title', anyPermission: ['asset.manage', 'audit.read'], nav: 'admin', load: () => import('../pages/vulnerabilities-page') },
  { path: '/configuration', tag: 'page-config', title: 'config.title', anyPermission: ['config.read', 'change.approve', 'audit.read'], nav: 'admin', load: () => import('../pages/config-page') },
  { path: '/sources', tag: 'page-sources', title: 'sources.title', anyPermission: ['user.admin', 'change.approve', 'audit.read'], nav: 'admin', load: () => import('../pages/sources-page') },
  { path: '/alerts', tag: 'page-alerts', title: 'alerts.title', permission: 'audit.read', nav: 'admin', load: () => import('../pages/alerts-page') },
  { path: '/backups', tag: 'page-backups', title: 'backups.title', anyPermission: ['backup.run', 'audit.read'], nav: 'admin', load: () => import('../pages/backups-page') },
  { path: '/compliance', tag: 'page-compliance', title: 'compliance.title', permission: 'compliance.read', nav: 'audit', load: () => import('../pages/compliance-page') },
  { path: '/audit', tag: 'page-audit', title: 'audit.title', permission: 'audit.log', nav: 'audit', load: () => import('../pages/audit-page') },
  { path: '/', tag: 'page-home', title: 'home.title', load: () => import('../pages/home-page') },
];

export function findRoute(pathname: string): Route | undefined {
  return routes.find((r) =>
    r.path === '/' ? pathname === '/' : pathname === r.path || pathname.startsWith(`${r.path}/`),
  );
}

export function allowed(route: Route, permissions: string[]): boolean {
  if (route.public) return true;
  if (route.permission && !permissions.includes(route.permission)) return false;
  if (route.anyPermission && !route.anyPermission.some((p) => permissions.includes(p))) return false;
  return true;
}

// Goes to `url` (a path with an optional query) without reloading; the shell renders it.
export function navigate(url: string, replace = false): void {
  if (replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  window.dispatchEvent(new CustomEvent('minato:navigate'));
}

// A click on a plain link inside the console becomes a navigation (modifier keys and other
// windows keep the browser's own behaviour).
export function onLinkClick(event: MouseEvent): void {
  if (event.defaultPrevented || event.button !== 0) return;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const a = (event.composedPath() as Element[]).find((el) => el instanceof HTMLAnchorElement) as
    | HTMLAnchorElement
    | undefined;
  if (!a || a.target || a.origin !== location.origin || a.hasAttribute('download')) return;
  event.preventDefault();
  navigate(a.pathname + a.search);
}
