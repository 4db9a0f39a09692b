import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { WorkspaceStore } from '../sync/workspace-store.js';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { BaleenError, type ServerMessage } from '@baleen/protocol';
import { WebSocketServer, type WebSocket } from 'ws';
import { ANONYMOUS_TENANT, bearerToken, type TenantId } from '../auth/token-store.js';
import { ConnectionCaps } from '../limits/connection-caps.js';
import { startHeartbeat } from '../limits/heartbeat.js';
import { OutboundBudget } from '../limits/outbound-budget.js';
import { AuthFailures } from '../limits/auth-failures.js';
import { PendingSockets } from '../limits/pending-sockets.js';
import { TenantRuns } from '../limits/tenant-runs.js';
import type { ContainerBackend } from '../backend/container-backend.js';
import { DockerBackend } from '../backend/docker/docker-backend.js';
import { createDockerClient } from '../backend/docker/docker-client.js';
import { startReaper } from '../reaper/reaper.js';
import { ServerMetrics } from '../metrics/server-metrics.js';
import { CapacityGate } from '../scheduler/capacity-gate.js';
import { executeRun } from '../scheduler/execute-run.js';
import {
  ClientSession,
  CLOSE_HELLO_TIMEOUT,
  CLOSE_IDLE,
  CLOSE_TOKEN_REVOKED,
  type SessionHost,
} from './client-session.js';
import { embeddedServerId } from './embedded-owner.js';
import { Sweeper } from '../reaper/sweeper.js';
import { newId } from './ids.js';
import { MAX_CLIENT_FRAME_BYTES, withServerDefaults, type ServerOptions } from './server-options.js';
import { SERVER_VERSION } from './version.js';
import { HistoryStore } from '../history/history-store.js';
import { StoreRunHistory } from '../history/store-run-history.js';
import type { Logger } from '../log/logger.js';
import { DashboardHub } from '../dashboard/dashboard-hub.js';
import { DashboardRoutes } from '../dashboard/dashboard-routes.js';
import { DashboardSessions } from '../dashboard/dashboard-sessions.js';
import { DashboardAssets } from '../dashboard/dashboard-assets.js';
import { HistoryViews } from '../dashboard/history-views.js';
import { RunReports } from '../dashboard/run-reports.js';

export interface RunningServer {
  readonly serverId: string;
  readonly host: string;
  readonly port: number;
  /** ws://host:port or wss://host:port */
  readonly url: string;
  /** http(s)://host:port/ when the dashboard is on. */
  readonly dashboardUrl?: string;
  readonly backend: ContainerBackend;
  /** Stops taking runs and waits up to `timeoutMs` for the runs in flight to finish by themselves. */
  drain(timeoutMs: number): Promise<boolean>;
  /** Stops taking runs, cancels the ones in flight, removes their containers and closes. Safe to call twice. */
  close(): Promise<void>;
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Starts a Baleen server: HTTP for health and metrics, WebSocket for clients. */
export async function startServer(input: Partial<ServerOptions> & Pick<ServerOptions, 'log'>): Promise<RunningServer> {
  const options = withServerDefaults(input);
  const tokens = options.tokens;
  if (!isLoopback(options.host) && tokens?.enabled !== true && options.insecureNoAuth !== true) {
    // Access to this server is access to the Docker engine, i.e. root on its host.
    throw new BaleenError(
      'USAGE',
      `refusing to listen on ${options.host} without tokens: anyone who reaches it could run containers on this engine — ` +
        `pass --token/--token-file (or BALEEN_TOKEN), or --insecure-no-auth if the network is yours alone`,
    );
  }
  const serverId = options.serverId ?? (options.embedded === true ? embeddedServerId() : newId('srv'));
  const log = options.log.child({ serverId });
  const backend: ContainerBackend = options.backend ?? new DockerBackend(log);
  const gate = new CapacityGate(options.capacity);
  // Served in turn like the capacity, so one run's burst of start-ups cannot hold back another run's.
  const startGate = new CapacityGate(options.startConcurrency);
  const metrics = new ServerMetrics(gate);
  const sessions = new Map<ClientSession, { socket: WebSocket; token: string | undefined }>();
  const outbound = new OutboundBudget(options.maxBufferedBytes, options.maxClientBufferedBytes);
  const tenantRuns = new TenantRuns();
  const runsInFlight = new Set<Promise<unknown>>();
  let shuttingDown = false;
  const sweeper = new Sweeper(backend, serverId, log);

  if (options.reapOnStart === true) await sweeper.reapEarlierInstance();
  const reaper =
    options.reaper === true
      ? await startReaper(createDockerClient(), serverId, log).catch((error: unknown) => {
          log.warn({ err: String(error) }, 'could not start the reaper; a crash would leave containers behind');
          return undefined;
        })
      : undefined;
  // In the background: the user's run need not wait for another run's leftovers to go; close() waits for it.
  const reapingOrphans = options.embedded === true ? sweeper.reapOrphanedEmbeddedServers() : Promise.resolve();
  // Synced trees live only as long as this server: a fresh folder, removed when it stops.
  const workspaces = new WorkspaceStore(
    options.syncDir ?? (await mkdtemp(path.join(tmpdir(), 'baleen-sync-'))),
    options.syncCacheBytes,
  );
  await workspaces.init();
  const history = openHistory(options, log);
  // The dashboard (on by default except embedded): an observer of every run, and its own routes on this listener.
  const dashboardOn = options.dashboard ?? options.embedded !== true;
  const hub = dashboardOn ? new DashboardHub(gate, startGate) : undefined;
  const dashboardSessions = dashboardOn ? new DashboardSessions(tokens) : undefined;
  // One count of wrong tokens per address for the socket and the dashboard's sign-in: guessing is slowed at both.
  const authFailures = new AuthFailures();
  const dashboard =
    hub === undefined || dashboardSessions === undefined
      ? undefined
      : new DashboardRoutes({
          hub,
          sessions: dashboardSessions,
          history: history === undefined ? undefined : new HistoryViews(history.store),
          reports: new RunReports(),
          assets: new DashboardAssets(),
          secure: options.tls !== undefined,
          authFailures,
          log: log.child({ component: 'dashboard' }),
        });

  const host: SessionHost = {
    serverId,
    serverVersion: SERVER_VERSION,
    capacity: options.capacity,
    maxOutputBytes: options.maxOutputBytes,
    engine: backend.engine,
    imagePolicy: options.imagePolicy,
    containerPolicy: options.containerPolicy,
    maxRunsPerClient: options.maxRunsPerClient,
    clientLabel: options.embedded === true ? 'local' : 'remote',
    tenantRuns,
    outbound,
    workspaces,
    maxSyncBytes: options.maxSyncBytes,
    ...(backend.workspaceUnsupported === undefined ? {} : { syncUnsupported: backend.workspaceUnsupported }),
    ...(history === undefined ? {} : { lastRun: (suite: string, client: string) => history.lastRun(suite, client) }),
    isShuttingDown: () => shuttingDown,
    // A client is queued when it waits for capacity and holds none: one that holds slots is being served.
    queuePosition: (clientId) => (gate.heldBy(clientId) > 0 ? 0 : gate.positionOf(clientId)),
    onQueueChange: (listener) => gate.onChange(listener),
    ...(hub === undefined ? {} : { dashboardPath: (runId: string) => `/runs/${encodeURIComponent(runId)}` }),
    executeRun: (plan, emit: (message: ServerMessage) => void, signal) => {
      metrics.runAccepted(plan.runId);
      const runLog = log.child({ runId: plan.runId });
      // The dashboard's cancel, for the run's own tenant: the same abort as the client's cancel.
      const dashboardCancel = new AbortController();
      hub?.register(
        {
          runId: plan.runId,
          suite: plan.suite,
          client: plan.client,
          owner: plan.owner,
          image: plan.image,
          files: plan.files,
          startedAt: Date.now(),
          expected: plan.scenarios.map((planned) => planned?.scenarios),
          cancel: (reason) => dashboardCancel.abort(new Error(reason)),
        },
        plan.cucumber !== undefined,
      );
      const observed = (message: ServerMessage): void => {
        metrics.observe(message);
        hub?.observe(plan.runId, message);
        // Each file's start and end, at info: what an operator follows when a team asks what happened.
        if (message.type === 'file-started') {
          runLog.info(
            { file: message.file, attempt: message.attempt, containerId: message.containerId.slice(0, 12) },
            'file started',
          );
        } else if (message.type === 'file-finished') {
          runLog.info(
            {
              file: message.file,
              attempt: message.attempt,
              status: message.status,
              durationMs: message.durationMs,
              ...(message.error === undefined ? {} : { error: message.error.code }),
            },
            message.willRetry === true ? 'file attempt failed; retrying' : 'file finished',
          );
        }
        emit(message);
      };
      const running = executeRun(
        plan,
        {
          backend,
          gate,
          startGate,
          emit: observed,
          log: log.child({ runId: plan.runId }),
          ...(history === undefined ? {} : { history }),
          observeStartLatency: (seconds) => metrics.observeStartLatency(seconds),
          sweeper,
          ...(hub === undefined
            ? {}
            : { onOutput: (fileIndex: number, _stream, chunk) => hub.output(plan.runId, fileIndex, chunk) }),
        },
        AbortSignal.any([signal, dashboardCancel.signal]),
      ).then((finished) => {
        metrics.observe(finished);
        hub?.observe(plan.runId, finished);
        return finished;
      });
      runsInFlight.add(running);
      void running.finally(() => runsInFlight.delete(running));
      return running;
    },
  };

  const tenantOf = (request: IncomingMessage): { tenant: TenantId | undefined; token: string | undefined } => {
    const token = bearerToken(request.headers.authorization);
    if (tokens?.enabled !== true) return { tenant: ANONYMOUS_TENANT, token };
    return { tenant: tokens.identify(token), token };
  };
  const onRequest = (request: IncomingMessage, response: ServerResponse): void => {
    if (dashboard?.handle(request, response) === true) return;
    const metricsAllowed = options.publicMetrics === true || tenantOf(request).tenant !== undefined;
    void answerHttp(request, response, {
      serverId,
      backend,
      gate,
      metrics,
      runs: () => runsInFlight.size,
      metricsAllowed,
    });
  };
  const http: Server =
    options.tls === undefined
      ? createHttpServer(onRequest)
      : createHttpsServer({ ...options.tls, handshakeTimeout: options.handshakeTimeoutMs }, onRequest);
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_CLIENT_FRAME_BYTES, perMessageDeflate: false });

  // A socket that has not become a WebSocket has a deadline, and there are at most so many: silent sockets cost
  // bounded descriptors, and past the limit the oldest goes, never the newcomer (a real client upgrades at once).
  const pending = new PendingSockets(options.maxPendingConnections, options.handshakeTimeoutMs);
  http.on(options.tls === undefined ? 'connection' : 'secureConnection', (socket: Socket) => pending.add(socket));
  const caps = new ConnectionCaps(options.maxConnections, options.maxConnectionsPerToken);

  // Tokens are checked at the HTTP upgrade, before a WebSocket exists: a refused client costs one response.
  http.on('upgrade', (request: IncomingMessage, socket: Socket, head: Buffer) => {
    pending.settled(socket);
    const address = request.socket.remoteAddress;
    const retryAfter = authFailures.retryAfterSeconds(address);
    if (retryAfter !== undefined) {
      refuseUpgrade(socket, 429, 'Too Many Requests', 'too many wrong tokens from this address; try again later', {
        'Retry-After': String(retryAfter),
      });
      return;
    }
    const { tenant, token } = tenantOf(request);
    if (tenant === undefined) {
      authFailures.failed(address);
      log.warn({ peer: address }, 'refused a client without a valid token');
      refuseUpgrade(socket, 401, 'Unauthorized', 'authentication failed');
      return;
    }
    // Without tokens there is one tenant but many clients: each connection is counted on its own then.
    const admitted = caps.admit(tokens?.enabled === true ? tenant : newId('conn'));
    if ('refusal' in admitted) {
      log.warn({ peer: request.socket.remoteAddress, tenant }, admitted.refusal);
      refuseUpgrade(socket, 503, 'Service Unavailable', admitted.refusal);
      return;
    }
    // The raw socket closes however the connection ends, a failed handshake included.
    socket.once('close', admitted.release);
    wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request, { tenant, token }));
  });

  wss.on('connection', (socket: WebSocket, request: IncomingMessage, who: { tenant: TenantId; token?: string }) => {
    const peer = `${request.socket.remoteAddress ?? '?'}:${request.socket.remotePort ?? '?'}`;
    const owner = tokens?.enabled === true ? who.tenant : undefined;
    const session = new ClientSession(socket, host, log.child({ peer, tenant: who.tenant }), who.tenant, owner);
    sessions.set(session, { socket, token: who.token });
    outbound.add(socket);
    // A client that vanishes without closing (killed, network gone, not reading) misses its pongs and is dropped.
    const stopHeartbeat = startHeartbeat(socket, options.heartbeatIntervalMs, () => {
      log.warn({ peer }, 'client missed its heartbeat; dropping it and cancelling its runs');
      socket.terminate();
    });
    const helloDeadline = setTimeout(() => {
      if (!session.greeted) closeWithin(socket, CLOSE_HELLO_TIMEOUT, 'no hello in time');
    }, options.helloTimeoutMs);
    helloDeadline.unref();
    const idleCheck = setInterval(
      () => {
        if (session.idleMs() > options.idleTimeoutMs)
          closeWithin(socket, CLOSE_IDLE, 'idle: no run, no sync, no frame');
      },
      Math.min(5_000, Math.max(100, options.idleTimeoutMs / 4)),
    );
    idleCheck.unref();
    socket.on('message', (raw) => session.handleFrame(raw));
    socket.on('error', (error) => log.warn({ peer, err: error.message }, 'socket error'));
    socket.on('close', () => {
      stopHeartbeat();
      clearTimeout(helloDeadline);
      clearInterval(idleCheck);
      outbound.delete(socket);
      // A client that goes away takes its runs with it: nothing keeps running for nobody.
      void session.close('client disconnected').finally(() => sessions.delete(session));
    });
  });

  // A token revoked by SIGHUP (its line deleted from --token-file) closes its open sessions, with their runs.
  const stopWatchingTokens = tokens?.onReload(() => {
    for (const [session, { socket, token }] of sessions) {
      if (tokens.identify(token) !== undefined) continue;
      log.warn({ tenant: session.tenant }, 'token revoked: closing its connection and cancelling its runs');
      closeWithin(socket, CLOSE_TOKEN_REVOKED, 'token revoked');
    }
  });

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port, options.host, () => {
      http.off('error', reject);
      resolve();
    });
  });
  const port = (http.address() as AddressInfo).port;
  const scheme = options.tls === undefined ? 'ws' : 'wss';
  const url = `${scheme}://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}`;
  const dashboardUrl =
    dashboard === undefined ? undefined : `${options.tls === undefined ? 'http' : 'https'}${url.slice(scheme.length)}/`;
  log.info(
    {
      url,
      capacity: options.capacity,
      engine: backend.engine,
      auth: tokens?.enabled === true,
      ...(dashboardUrl === undefined ? {} : { dashboard: dashboardUrl }),
    },
    'baleen-server listening',
  );
  if (!backend.liveOutput) {
    log.info(
      { engine: backend.engine },
      'this backend reads output when a file ends: its results arrive then, not live',
    );
  }

  const drain = async (timeoutMs: number): Promise<boolean> => {
    shuttingDown = true;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const done = Promise.all([...runsInFlight]).then(() => true as const);
    const finished = await Promise.race([done, timedOut]);
    clearTimeout(timer);
    return finished;
  };

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      shuttingDown = true;
      stopWatchingTokens?.();
      dashboard?.close();
      dashboardSessions?.close();
      hub?.close();
      await Promise.all([...sessions.keys()].map((session) => session.close('server shutting down')));
      for (const client of wss.clients) client.close(1001, 'server shutting down');
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      await workspaces.close();
      history?.close();
      await reapingOrphans;
      reaper?.stop();
      log.info('baleen-server stopped');
    })();
    return closing;
  };

  return {
    serverId,
    host: options.host,
    port,
    url,
    ...(dashboardUrl === undefined ? {} : { dashboardUrl }),
    backend,
    drain,
    close,
  };
}

/** Answers an upgrade that will not become a WebSocket, and closes its socket. */
function refuseUpgrade(
  socket: Socket,
  status: number,
  statusText: string,
  body: string,
  headers: Record<string, string> = {},
): void {
  const extra = Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  socket.end(
    `HTTP/1.1 ${status} ${statusText}\r\nConnection: close\r\nContent-Type: text/plain\r\n${extra}\r\n${body}\n`,
  );
  socket.destroy();
}

/** Closes with a code the client can read, and hard-stops a peer that does not complete the close in 1 s. */
function closeWithin(socket: WebSocket, code: number, reason: string): void {
  socket.close(code, reason);
  setTimeout(() => socket.terminate(), 1_000).unref();
}

interface HttpContext {
  metricsAllowed: boolean;
  serverId: string;
  backend: ContainerBackend;
  gate: CapacityGate;
  metrics: ServerMetrics;
  runs: () => number;
}

async function answerHttp(request: IncomingMessage, response: ServerResponse, context: HttpContext): Promise<void> {
  if (request.method === 'GET' && request.url === '/healthz') {
    const engine = await context.backend.ping().then(
      () => ({ reachable: true }),
      (error: unknown) => ({ reachable: false, error: error instanceof Error ? error.message : String(error) }),
    );
    const { gate } = context;
    response.writeHead(engine.reachable ? 200 : 503, { 'content-type': 'application/json' });
    response.end(
      JSON.stringify({
        status: engine.reachable ? 'ok' : 'engine-unreachable',
        serverId: context.serverId,
        engine: { address: context.backend.engine, ...engine },
        capacity: gate.capacity,
        inUse: gate.inUse,
        queued: context.metrics.queuedFiles,
        runs: context.runs(),
      }),
    );
    return;
  }
  if (request.method === 'GET' && request.url === '/metrics') {
    if (!context.metricsAllowed) {
      // What runs, how many and how they end is the operator's to see: behind a token unless --public-metrics.
      response.writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': 'Bearer' });
      response.end(
        '/metrics needs a token (Authorization: Bearer ...) on this server, or baleen-server --public-metrics\n',
      );
      return;
    }
    response.writeHead(200, { 'content-type': context.metrics.registry.contentType });
    response.end(await context.metrics.registry.metrics());
    return;
  }
  response.writeHead(426, { 'content-type': 'text/plain', upgrade: 'websocket' });
  response.end(
    'Baleen speaks WebSocket here: connect with the baleen client (baleen cucumber --server ws://host:port)\n',
  );
}

/**
 * The suite history: a shared server's in its state dir, an embedded one's in the project (the client says where).
 * A store that cannot be opened costs the ordering by history, never the server: it says so and goes on.
 */
function openHistory(options: ServerOptions, log: Logger): StoreRunHistory | undefined {
  if (options.historyFile === undefined) return undefined;
  try {
    const store = HistoryStore.open(options.historyFile, {
      onError: (error) => log.warn({ err: error.message }, 'the history store failed; runs go on without it'),
    });
    return new StoreRunHistory(store, options.embedded === true ? 'project' : 'server');
  } catch (error) {
    log.warn(
      { err: error instanceof Error ? error.message : String(error) },
      'no history store: runs are not ordered by history',
    );
    return undefined;
  }
}
