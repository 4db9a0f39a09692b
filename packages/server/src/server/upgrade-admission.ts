import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { ANONYMOUS_TENANT, bearerToken, type TenantId, type TokenStore } from '../auth/token-store.js';
import type { AuthFailures } from '../limits/auth-failures.js';
import type { ConnectionCaps } from '../limits/connection-caps.js';
import type { Logger } from '../log/logger.js';
import { newId } from './ids.js';

export interface AdmittedUpgrade {
  tenant: TenantId;
  token: string | undefined;
  /** Gives the connection's place under the caps back; called when its raw socket closes. */
  release: () => void;
}

export interface RefusedUpgrade {
  status: 401 | 429 | 503;
  statusText: string;
  body: string;
  headers?: Record<string, string>;
}

/**
 * Who may become a WebSocket, decided at the HTTP upgrade, before a WebSocket exists, so a refused client costs one
 * response: an address held back after too many wrong tokens (429, its token not even checked), a wrong token (401,
 * counted against its address), a token over its connection cap or a server over its own (503).
 */
export class UpgradeAdmission {
  constructor(
    private readonly tokens: TokenStore | undefined,
    private readonly caps: ConnectionCaps,
    private readonly authFailures: AuthFailures,
    private readonly log: Logger,
  ) {}

  /** The tenant a request's bearer token names: the one anonymous tenant without tokens; undefined if refused. */
  tenantOf(request: IncomingMessage): { tenant: TenantId | undefined; token: string | undefined } {
    const token = bearerToken(request.headers.authorization);
    if (this.tokens?.enabled !== true) return { tenant: ANONYMOUS_TENANT, token };
    return { tenant: this.tokens.identify(token), token };
  }

  /**
   * Whether a plain HTTP request to /metrics may read it: a valid token, from an address not held back. A wrong
   * token counts against its address as at the upgrade, or /metrics would be a way to test guesses unhindered.
   */
  mayReadMetrics(request: IncomingMessage): boolean {
    const address = request.socket.remoteAddress;
    if (this.authFailures.retryAfterSeconds(address) !== undefined) return false;
    const { tenant, token } = this.tenantOf(request);
    if (tenant === undefined && token !== undefined) this.authFailures.failed(address);
    return tenant !== undefined;
  }

  admit(request: IncomingMessage): AdmittedUpgrade | RefusedUpgrade {
    const address = request.socket.remoteAddress;
    const retryAfter = this.authFailures.retryAfterSeconds(address);
    if (retryAfter !== undefined) {
      return {
        status: 429,
        statusText: 'Too Many Requests',
        body: 'too many wrong tokens from this address; try again later',
        headers: { 'Retry-After': String(retryAfter) },
      };
    }
    const { tenant, token } = this.tenantOf(request);
    if (tenant === undefined) {
      this.authFailures.failed(address);
      this.log.warn({ peer: address }, 'refused a client without a valid token');
      return { status: 401, statusText: 'Unauthorized', body: 'authentication failed' };
    }
    // Without tokens there is one tenant but many clients: each connection is counted on its own then.
    const admitted = this.caps.admit(this.tokens?.enabled === true ? tenant : newId('conn'));
    if ('refusal' in admitted) {
      this.log.warn({ peer: address, tenant }, admitted.refusal);
      return { status: 503, statusText: 'Service Unavailable', body: admitted.refusal };
    }
    return { tenant, token, release: admitted.release };
  }
}

/** Answers an upgrade that will not become a WebSocket, and closes its socket. */
export function refuseUpgrade(socket: Socket, refusal: RefusedUpgrade): void {
  const extra = Object.entries(refusal.headers ?? {})
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  socket.end(
    `HTTP/1.1 ${refusal.status} ${refusal.statusText}\r\nConnection: close\r\nContent-Type: text/plain\r\n${extra}\r\n` +
      `${refusal.body}\n`,
  );
  socket.destroy();
}
