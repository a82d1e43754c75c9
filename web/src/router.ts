// The panel's routes, in the address's fragment (`#/action_plans/ID`): the page keeps one
// address whatever path ulm-api serves it under, and a reload shows the same page.

import type { Page, PageContext } from './pages/page.js';

export interface Route {
  /** `/action_plans/:id`. */
  pattern: string;
  /** The navigation entry it belongs to (`#/action_plans`). */
  section: string;
  page: (context: PageContext) => Page;
  /** Shown without the frame and without a session (the login page). */
  public?: boolean;
}

export interface Match {
  route: Route;
  params: Record<string, string>;
  query: URLSearchParams;
  path: string;
}

/** The current route: `#/hosts?x=1` -> path `/hosts`, query `x=1`. */
export function currentLocation(): { path: string; query: URLSearchParams } {
  const fragment = decodeURI(location.hash.replace(/^#/, '')) || '/overview';
  const [path, query = ''] = fragment.split('?');
  return { path: path || '/overview', query: new URLSearchParams(query) };
}

export function match(routes: Route[], path: string, query: URLSearchParams): Match | null {
  for (const route of routes) {
    const names: string[] = [];
    const expression = new RegExp(`^${route.pattern.replace(/:([a-z_]+)/g, (_, name: string) => { names.push(name); return '([^/]+)'; })}/?$`);
    const found = expression.exec(path);
    if (found) {
      const params = Object.fromEntries(names.map((name, index) => [name, decodeURIComponent(found[index + 1])]));
      return { route, params, query, path };
    }
  }
  return null;
}

export function navigate(path: string): void {
  const target = `#${path}`;
  if (location.hash === target) window.dispatchEvent(new HashChangeEvent('hashchange'));
  else location.hash = target;
}
