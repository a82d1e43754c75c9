// The panel's entry: the routes, the frame around the pages, the login guard (no session, or a
// 401 from the API, leads to the login page and back), and signing out.

import { post, whenSessionExpires } from './api/client.js';
import { replaceChildren } from './dom.js';
import { actionPlanPage } from './pages/action-plan.js';
import { actionPlansPage } from './pages/action-plans.js';
import { calendarPage } from './pages/calendar.js';
import { hostsPage } from './pages/hosts.js';
import { loginPage } from './pages/login.js';
import { overviewPage } from './pages/overview.js';
import type { Page } from './pages/page.js';
import { policiesPage } from './pages/policies.js';
import { serversPage } from './pages/servers.js';
import { windowsPage } from './pages/windows.js';
import { currentLocation, match, navigate, type Route } from './router.js';
import { currentSession, forgetSession, leaveLoginNotice } from './session.js';
import { clearFlash, pageChanged } from './ui/flash.js';
import { buildShell, showPage, type Shell } from './ui/layout.js';

const ROUTES: Route[] = [
  { pattern: '/login', section: '', page: loginPage, public: true },
  { pattern: '/overview', section: '#/overview', page: overviewPage },
  { pattern: '/policies', section: '#/policies', page: policiesPage },
  { pattern: '/windows', section: '#/windows', page: windowsPage },
  { pattern: '/calendar', section: '#/calendar', page: calendarPage },
  { pattern: '/action_plans', section: '#/action_plans', page: actionPlansPage },
  { pattern: '/action_plans/:id', section: '#/action_plans', page: actionPlanPage },
  { pattern: '/hosts', section: '#/hosts', page: hostsPage },
  { pattern: '/servers', section: '#/servers', page: serversPage },
];

const root = document.getElementById('app') ?? document.body;
let shell: Shell | null = null;
let shellToken: string | null | undefined;
let current: Page | null = null;

function toLogin(reason: string | null): void {
  const { path } = currentLocation();
  if (reason) leaveLoginNotice(reason);
  const next = path === '/login' ? '' : `?next=${encodeURIComponent(path)}`;
  navigate(`/login${next}`);
}

function signOut(): void {
  // Revoke the token in Keystone; the panel forgets it whatever the answer.
  void post('v1/auth/logout', undefined, { unauthorizedIsAnswer: true }).catch(() => undefined).finally(() => {
    forgetSession();
    shell = null;
    clearFlash();
    leaveLoginNotice('You have signed out.');
    navigate('/login');
  });
}

function render(): void {
  current?.dispose?.();
  current = null;
  const { path, query } = currentLocation();
  const found = match(ROUTES, path, query);
  if (!found) {
    navigate('/overview');
    return;
  }
  const context = { params: found.params, query, navigate };
  if (found.route.public) {
    shell = null;
    current = found.route.page(context);
    replaceChildren(root, current.element);
    return;
  }
  const session = currentSession();
  if (!session) {
    toLogin(null);
    return;
  }
  // A new frame for a new session (another user or project in the top bar).
  if (!shell || shellToken !== session.token) {
    shell = buildShell(session, signOut);
    shellToken = session.token;
    replaceChildren(root, shell.element);
  }
  shell.setActive(found.route.section);
  pageChanged();
  current = found.route.page(context);
  showPage(shell, current.element);
}

whenSessionExpires(() => {
  // Several requests may fail at once: leave only once.
  if (!currentSession()) return;
  forgetSession();
  shell = null;
  toLogin('Your session has expired or was revoked. Please log in again.');
});

window.addEventListener('hashchange', render);
if (!location.hash) history.replaceState(null, '', '#/overview');
render();
// A marker for tests and for noscript fallbacks: the panel's script has run.
document.documentElement.setAttribute('data-panel', 'ready');
