import { randomBytes } from 'node:crypto';
import type { TenantId, TokenStore } from '../auth/token-store.js';

/** The cookie that carries a dashboard session's id (never the token). */
export const SESSION_COOKIE = 'baleen_session';
/** A session ends this long after sign-in, whatever it does. */
export const SESSION_LIFETIME_MS = 12 * 60 * 60 * 1000;
/**
 * Sessions one tenant holds at once; past it that tenant's own oldest ends. A token holder signing in over and over
 * (a script, an attack) can end only its own sessions, never another team's.
 */
export const MAX_SESSIONS_PER_TENANT = 32;
/** Sessions at once across tenants (memory's bound); past it the oldest of the tenant holding the most ends. */
export const MAX_SESSIONS = 1024;

export interface DashboardSession {
  id: string;
  tenant: TenantId;
  /** Kept server-side only, to end the session when the token is revoked (SIGHUP). */
  token: string | undefined;
  expiresAt: number;
}

/**
 * Dashboard sign-ins: a random id in an HttpOnly cookie, mapped here to the token's tenant. A token revoked
 * from --token-file ends its sessions at the reload, as it closes its WebSocket connections.
 */
export class DashboardSessions {
  readonly #sessions = new Map<string, DashboardSession>();
  readonly #endListeners = new Set<(session: DashboardSession) => void>();
  readonly #stopWatching: (() => void) | undefined;

  constructor(private readonly tokens: TokenStore | undefined) {
    this.#stopWatching = tokens?.onReload(() => {
      for (const session of this.#sessions.values()) {
        if (tokens.identify(session.token) === undefined) this.#end(session);
      }
    });
  }

  /** True when a sign-in is needed: the server has tokens. Without them the dashboard is open, as the socket is. */
  get required(): boolean {
    return this.tokens?.enabled === true;
  }

  /** A new session for a presented token, or undefined when the token is not accepted (compared in constant time). */
  signIn(token: string, now = Date.now()): DashboardSession | undefined {
    const tenant = this.tokens?.identify(token);
    if (tenant === undefined) return undefined;
    const mine = [...this.#sessions.values()].filter((session) => session.tenant === tenant);
    if (mine.length >= MAX_SESSIONS_PER_TENANT && mine[0] !== undefined) this.#end(mine[0]);
    if (this.#sessions.size >= MAX_SESSIONS) this.#endOldestOfLargestTenant();
    const session = { id: randomBytes(32).toString('base64url'), tenant, token, expiresAt: now + SESSION_LIFETIME_MS };
    this.#sessions.set(session.id, session);
    return session;
  }

  /** The live session a cookie names, if any. */
  find(id: string | undefined, now = Date.now()): DashboardSession | undefined {
    if (id === undefined) return undefined;
    const session = this.#sessions.get(id);
    if (session === undefined) return undefined;
    if (session.expiresAt <= now || this.tokens?.identify(session.token) === undefined) {
      this.#end(session);
      return undefined;
    }
    return session;
  }

  signOut(id: string | undefined): void {
    const session = id === undefined ? undefined : this.#sessions.get(id);
    if (session !== undefined) this.#end(session);
  }

  /** Called when a session ends (sign-out, expiry, revocation): its event streams close. */
  onEnd(listener: (session: DashboardSession) => void): () => void {
    this.#endListeners.add(listener);
    return () => this.#endListeners.delete(listener);
  }

  close(): void {
    this.#stopWatching?.();
    this.#sessions.clear();
  }

  /** Makes room at the global bound without touching a tenant that holds less than the most. */
  #endOldestOfLargestTenant(): void {
    const oldestByTenant = new Map<TenantId, { oldest: DashboardSession; count: number }>();
    for (const session of this.#sessions.values()) {
      const seen = oldestByTenant.get(session.tenant);
      if (seen === undefined) oldestByTenant.set(session.tenant, { oldest: session, count: 1 });
      else seen.count += 1;
    }
    let largest: { oldest: DashboardSession; count: number } | undefined;
    for (const entry of oldestByTenant.values())
      if (largest === undefined || entry.count > largest.count) largest = entry;
    if (largest !== undefined) this.#end(largest.oldest);
  }

  #end(session: DashboardSession): void {
    this.#sessions.delete(session.id);
    for (const listener of this.#endListeners) listener(session);
  }
}

/** The value of one cookie in a Cookie header. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return undefined;
}
