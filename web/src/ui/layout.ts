// The panel's frame, as Horizon draws it: a top bar with the product, the project and the user
// (and Sign Out), the left navigation, the flash messages and the page.

import { element, replaceChildren } from '../dom.js';
import { navigate } from '../router.js';
import type { PanelSession } from '../session.js';
import { flashRegion } from './flash.js';

export interface NavigationEntry {
  /** The route: `#/hosts`. */
  href: string;
  label: string;
}

export const NAVIGATION: NavigationEntry[] = [
  { href: '#/overview', label: 'Overview' },
  { href: '#/policies', label: 'Policies' },
  { href: '#/windows', label: 'Windows' },
  { href: '#/calendar', label: 'Calendar' },
  { href: '#/action_plans', label: 'Action plans' },
  { href: '#/hosts', label: 'Hosts' },
  { href: '#/servers', label: 'Servers' },
];

export interface Shell {
  element: HTMLElement;
  /** Where pages go. */
  content: HTMLElement;
  /** Marks the navigation entry of the page shown. */
  setActive(href: string): void;
}

export function buildShell(session: PanelSession, onSignOut: () => void): Shell {
  const links = NAVIGATION.map((entry) => element('a', {
    className: 'nav-link', text: entry.label, attributes: { href: entry.href },
    // The current page's entry shows the page again, fresh, as in Horizon.
    on: { click: (event) => { if (location.hash === entry.href) { event.preventDefault(); navigate(entry.href.slice(1)); } } },
  }));
  const content = element('main', { className: 'page', id: 'content', attributes: { tabindex: -1 } });
  const who = session.token === null
    ? element('span', { className: 'who noauth', text: 'noauth (development: no authentication)' })
    : element('span', { className: 'who' },
      element('span', { className: 'project', text: session.systemScope ? 'Scope: system' : `Project: ${session.projectName ?? '–'}` }),
      element('span', { className: 'user', text: `User: ${session.userName}` }));
  const signOut = element('button', { className: 'btn btn-link sign-out', text: 'Sign Out', attributes: { type: 'button' }, on: { click: onSignOut } });
  const shell = element('div', { className: 'shell' },
    element('a', { className: 'skip-link', text: 'Skip to content', attributes: { href: '#content' }, on: { click: (event) => { event.preventDefault(); content.focus(); } } }),
    element('header', { className: 'topbar' },
      element('a', { className: 'brand', attributes: { href: '#/overview', 'aria-label': 'ulm overview' } }, element('span', { className: 'brand-mark', text: 'ulm' }), element('span', { className: 'brand-text', text: 'live migration' })),
      element('div', { className: 'topbar-right' }, who, signOut),
    ),
    element('div', { className: 'body' },
      element('nav', { className: 'sidebar', attributes: { 'aria-label': 'Main' } },
        element('h2', { className: 'sidebar-title', text: 'Admin' }),
        element('ul', { className: 'nav' }, ...links.map((link) => element('li', {}, link)))),
      element('div', { className: 'main-column' }, flashRegion(), content),
    ),
  );
  return {
    element: shell,
    content,
    setActive(href) {
      for (const link of links) {
        const active = href === link.getAttribute('href') || href.startsWith(`${link.getAttribute('href')}/`);
        if (active) link.setAttribute('aria-current', 'page');
        else link.removeAttribute('aria-current');
      }
    },
  };
}

export function showPage(shell: Shell, page: Node): void {
  replaceChildren(shell.content, page);
}
