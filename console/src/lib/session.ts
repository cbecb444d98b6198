// Who is logged in: the session as GET /api/v1/session gives it, kept for the screens to ask
// what the user's roles allow. Showing or hiding a screen is only convenience: the API refuses
// whatever the roles do not allow, whatever the console shows.
import { api, ApiError, setCsrfToken } from './api';
import { setTerminalOffset } from './i18n';

export interface SessionInfo {
  username: string;
  roles: string[];
  permissions: string[];
  csrf_token: string;
  password_expired: boolean;
  idle_timeout_s: number;
  created: string;
  step_up_until: string;
  terminal: { name: string; utc_offset: string };
}

let current: SessionInfo | null = null;

export function session(): SessionInfo | null {
  return current;
}

export function can(permission: string): boolean {
  return current?.permissions.includes(permission) ?? false;
}

export function hasRole(role: string): boolean {
  return current?.roles.includes(role) ?? false;
}

// Reads the session; null when nobody is logged in.
export async function loadSession(): Promise<SessionInfo | null> {
  try {
    current = await api.get<SessionInfo>('/api/v1/session', { anonymous: true });
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) {
      current = null;
      setCsrfToken('');
      return null;
    }
    throw e;
  }
  setCsrfToken(current.csrf_token);
  setTerminalOffset(current.terminal.utc_offset);
  return current;
}

export function clearSession(): void {
  current = null;
  setCsrfToken('');
}
