// Who is logged in: the Keystone token and the names the top bar shows, kept in sessionStorage
// (gone when the tab closes, never shared with other tabs' sessions), or the noauth session.

import type { LoginSession } from './api/records.js';

export interface PanelSession {
  /** null with auth_strategy = noauth: no token is sent. */
  token: string | null;
  expiresAt: string | null;
  userName: string;
  projectName: string | null;
  /** A token scoped to the system (a system reader or admin), not to a project. */
  systemScope?: boolean;
  roles: string[];
}

const KEY = 'ulm.session';

export function currentSession(): PanelSession | null {
  const text = sessionStorage.getItem(KEY);
  if (!text) return null;
  try {
    const session = JSON.parse(text) as PanelSession;
    // A token past its expiry would only earn a 401: forget it now.
    if (session.expiresAt && Date.parse(session.expiresAt) <= Date.now()) {
      forgetSession();
      return null;
    }
    return session;
  } catch {
    forgetSession();
    return null;
  }
}

export function keepKeystoneSession(login: LoginSession): PanelSession {
  const session: PanelSession = {
    token: login.token,
    expiresAt: login.expires_at,
    userName: login.user.name,
    projectName: login.project?.name ?? null,
    systemScope: login.system_scope === 'all',
    roles: login.roles,
  };
  sessionStorage.setItem(KEY, JSON.stringify(session));
  return session;
}

export function keepNoauthSession(): PanelSession {
  const session: PanelSession = { token: null, expiresAt: null, userName: 'noauth', projectName: null, roles: ['admin'] };
  sessionStorage.setItem(KEY, JSON.stringify(session));
  return session;
}

export function forgetSession(): void {
  sessionStorage.removeItem(KEY);
}

/** A message for the login page to show once (why the user is there). */
const NOTICE_KEY = 'ulm.login-notice';

export function leaveLoginNotice(text: string): void {
  sessionStorage.setItem(NOTICE_KEY, text);
}

export function takeLoginNotice(): string | null {
  const text = sessionStorage.getItem(NOTICE_KEY);
  sessionStorage.removeItem(NOTICE_KEY);
  return text;
}
