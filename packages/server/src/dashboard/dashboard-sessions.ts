import { randomBytes } from 'node:crypto';
import type { TenantId, TokenStore } from '../auth/token-store.js';

/** The cookie that carries a dashboard session's id (never the token). */
export const SESSION_COOKIE = 'baleen_session';
/** A session ends this long after sign-in, whatever it does. */
export const SESSION_LIFETIME_MS = 12 * 60 * 60 * 1000;
/** Sessions at once; past it the oldest is ended (a sign-in costs one entry, so this bounds memory). */
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
    while (this.#sessions.size >= MAX_SESSIONS) {
      const oldest = this.#sessions.values().next().value;
      if (oldest === undefined) break;
      this.#end(oldest);
    }
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
