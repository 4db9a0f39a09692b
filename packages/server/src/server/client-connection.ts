import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';
import type { TenantId } from '../auth/token-store.js';
import { startHeartbeat } from '../limits/heartbeat.js';
import type { OutboundBudget } from '../limits/outbound-budget.js';
import type { Logger } from '../log/logger.js';
import { ClientSession, CLOSE_HELLO_TIMEOUT, CLOSE_IDLE, type SessionHost } from './client-session.js';

export interface ClientConnectionDeps {
  host: SessionHost;
  log: Logger;
  outbound: OutboundBudget;
  /** Runs are served in turn by owner: the tenant when there are tokens, else each connection is its own. */
  tokensEnabled: boolean;
  heartbeatIntervalMs: number;
  helloTimeoutMs: number;
  idleTimeoutMs: number;
  /** The session is live (to close it at revocation or shutdown) until it is forgotten. */
  track: (session: ClientSession, socket: WebSocket) => void;
  forget: (session: ClientSession) => void;
}

/**
 * A WebSocket's life on this server, from the upgrade to its close: its session, a heartbeat that drops a client
 * that vanished without closing, a deadline for `hello`, an idle limit, and — when it goes — its runs cancelled.
 */
export function serveClientConnection(
  socket: WebSocket,
  request: IncomingMessage,
  who: { tenant: TenantId },
  deps: ClientConnectionDeps,
): void {
  const { log } = deps;
  const peer = `${request.socket.remoteAddress ?? '?'}:${request.socket.remotePort ?? '?'}`;
  const owner = deps.tokensEnabled ? who.tenant : undefined;
  const session = new ClientSession(socket, deps.host, log.child({ peer, tenant: who.tenant }), who.tenant, owner);
  deps.track(session, socket);
  deps.outbound.add(socket);
  // A client that vanishes without closing (killed, network gone, not reading) misses its pongs and is dropped.
  const stopHeartbeat = startHeartbeat(socket, deps.heartbeatIntervalMs, () => {
    log.warn({ peer }, 'client missed its heartbeat; dropping it and cancelling its runs');
    socket.terminate();
  });
  const helloDeadline = setTimeout(() => {
    if (!session.greeted) closeWithin(socket, CLOSE_HELLO_TIMEOUT, 'no hello in time');
  }, deps.helloTimeoutMs);
  helloDeadline.unref();
  const idleCheck = setInterval(
    () => {
      if (session.idleMs() > deps.idleTimeoutMs) closeWithin(socket, CLOSE_IDLE, 'idle: no run, no sync, no frame');
    },
    Math.min(5_000, Math.max(100, deps.idleTimeoutMs / 4)),
  );
  idleCheck.unref();
  socket.on('message', (raw) => session.handleFrame(raw));
  socket.on('error', (error) => log.warn({ peer, err: error.message }, 'socket error'));
  socket.on('close', () => {
    stopHeartbeat();
    clearTimeout(helloDeadline);
    clearInterval(idleCheck);
    deps.outbound.delete(socket);
    // A client that goes away takes its runs with it: nothing keeps running for nobody.
    void session.close('client disconnected').finally(() => deps.forget(session));
  });
}

/** Closes with a code the client can read, and hard-stops a peer that does not complete the close in 1 s. */
export function closeWithin(socket: WebSocket, code: number, reason: string): void {
  socket.close(code, reason);
  setTimeout(() => socket.terminate(), 1_000).unref();
}
