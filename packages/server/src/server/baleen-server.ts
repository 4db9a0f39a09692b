import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ServerMessage } from '@baleen/protocol';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ContainerBackend } from '../backend/container-backend.js';
import { DockerBackend } from '../backend/docker/docker-backend.js';
import { CapacityGate } from '../scheduler/capacity-gate.js';
import { executeRun } from '../scheduler/execute-run.js';
import { ClientSession, type SessionHost } from './client-session.js';
import { newId } from './ids.js';
import { MAX_CLIENT_FRAME_BYTES, withServerDefaults, type ServerOptions } from './server-options.js';
import { SERVER_VERSION } from './version.js';

export interface RunningServer {
  readonly serverId: string;
  readonly host: string;
  readonly port: number;
  /** ws://host:port */
  readonly url: string;
  readonly backend: ContainerBackend;
  /** Stops taking runs, cancels the ones in flight, removes their containers and closes. Safe to call twice. */
  close(): Promise<void>;
}

/** Starts a Baleen server: HTTP for health, WebSocket for clients. */
export async function startServer(input: Partial<ServerOptions> & Pick<ServerOptions, 'log'>): Promise<RunningServer> {
  const options = withServerDefaults(input);
  const serverId = options.serverId ?? newId('srv');
  const log = options.log.child({ serverId });
  const backend = options.backend ?? new DockerBackend(log);
  const gate = new CapacityGate(options.capacity);
  const sessions = new Set<ClientSession>();
  let shuttingDown = false;

  const host: SessionHost = {
    serverId,
    serverVersion: SERVER_VERSION,
    capacity: options.capacity,
    maxOutputBytes: options.maxOutputBytes,
    engine: backend.engine,
    isShuttingDown: () => shuttingDown,
    executeRun: (plan, emit: (message: ServerMessage) => void, signal) =>
      executeRun(plan, { backend, gate, emit, log: log.child({ runId: plan.runId }) }, signal),
  };

  const http = createServer((request: IncomingMessage, response: ServerResponse) => {
    if (request.method === 'GET' && request.url === '/healthz') {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({ status: 'ok', serverId, capacity: gate.capacity, inUse: gate.inUse, waiting: gate.waiting }),
      );
      return;
    }
    response.writeHead(426, { 'content-type': 'text/plain', upgrade: 'websocket' });
    response.end(
      'Baleen speaks WebSocket here: connect with the baleen client (baleen cucumber --server ws://host:port)\n',
    );
  });
  const wss = new WebSocketServer({ server: http, maxPayload: MAX_CLIENT_FRAME_BYTES, perMessageDeflate: false });

  wss.on('connection', (socket: WebSocket, request: IncomingMessage) => {
    const peer = `${request.socket.remoteAddress ?? '?'}:${request.socket.remotePort ?? '?'}`;
    const session = new ClientSession(socket, host, log.child({ peer }));
    sessions.add(session);
    socket.on('message', (raw) => session.handleFrame(raw));
    socket.on('error', (error) => log.warn({ peer, err: error.message }, 'socket error'));
    socket.on('close', () => {
      // A client that goes away takes its runs with it: nothing keeps running for nobody.
      void session.close('client disconnected').finally(() => sessions.delete(session));
    });
  });

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port, options.host, () => {
      http.off('error', reject);
      resolve();
    });
  });
  const port = (http.address() as AddressInfo).port;
  const url = `ws://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}`;
  log.info({ url, capacity: options.capacity, engine: backend.engine }, 'baleen-server listening');

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      shuttingDown = true;
      await Promise.all([...sessions].map((session) => session.close('server shutting down')));
      for (const client of wss.clients) client.close(1001, 'server shutting down');
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      log.info('baleen-server stopped');
    })();
    return closing;
  };

  return { serverId, host: options.host, port, url, backend, close };
}
