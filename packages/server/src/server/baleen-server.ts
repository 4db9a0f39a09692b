import { mkdtemp } from 'node:fs/promises';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BaleenError } from '@baleen/protocol';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ContainerBackend } from '../backend/container-backend.js';
import { DockerBackend } from '../backend/docker/docker-backend.js';
import { createDockerClient } from '../backend/docker/docker-client.js';
import { DashboardAssets } from '../dashboard/dashboard-assets.js';
import { DashboardHub } from '../dashboard/dashboard-hub.js';
import { DashboardRoutes } from '../dashboard/dashboard-routes.js';
import { DashboardSessions } from '../dashboard/dashboard-sessions.js';
import { HistoryViews } from '../dashboard/history-views.js';
import { RunReports } from '../dashboard/run-reports.js';
import { HistoryStore } from '../history/history-store.js';
import { StoreRunHistory } from '../history/store-run-history.js';
import { AuthFailures } from '../limits/auth-failures.js';
import { ConnectionCaps } from '../limits/connection-caps.js';
import { OutboundBudget } from '../limits/outbound-budget.js';
import { PendingSockets } from '../limits/pending-sockets.js';
import { TenantRuns } from '../limits/tenant-runs.js';
import type { Logger } from '../log/logger.js';
import { ServerMetrics } from '../metrics/server-metrics.js';
import { startReaper } from '../reaper/reaper.js';
import { Sweeper } from '../reaper/sweeper.js';
import { CapacityGate } from '../scheduler/capacity-gate.js';
import { WorkspaceStore } from '../sync/workspace-store.js';
import { closeWithin, serveClientConnection } from './client-connection.js';
import { CLOSE_TOKEN_REVOKED, type ClientSession, type SessionHost } from './client-session.js';
import { embeddedServerId } from './embedded-owner.js';
import { answerHttp } from './http-answers.js';
import { newId } from './ids.js';
import { RunExecutor } from './run-executor.js';
import { MAX_CLIENT_FRAME_BYTES, withServerDefaults, type ServerOptions } from './server-options.js';
import { refuseUpgrade, UpgradeAdmission, type AdmittedUpgrade } from './upgrade-admission.js';
import { SERVER_VERSION } from './version.js';

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

  const runs = new RunExecutor({
    scheduling: {
      backend,
      gate,
      startGate,
      ...(history === undefined ? {} : { history }),
      observeStartLatency: (seconds) => metrics.observeStartLatency(seconds),
      sweeper,
    },
    log,
    metrics,
    hub,
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
    executeRun: (plan, emit, signal) => runs.execute(plan, emit, signal),
  };

  const admission = new UpgradeAdmission(
    tokens,
    new ConnectionCaps(options.maxConnections, options.maxConnectionsPerToken),
    authFailures,
    log,
  );
  const onRequest = (request: IncomingMessage, response: ServerResponse): void => {
    if (dashboard?.handle(request, response) === true) return;
    void answerHttp(request, response, {
      serverId,
      backend,
      gate,
      metrics,
      runs: () => runs.count,
      mayReadMetrics: () => options.publicMetrics === true || admission.mayReadMetrics(request),
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
  http.on('upgrade', (request: IncomingMessage, socket: Socket, head: Buffer) => {
    pending.settled(socket);
    const admitted = admission.admit(request);
    if ('status' in admitted) {
      refuseUpgrade(socket, admitted);
      return;
    }
    // The raw socket closes however the connection ends, a failed handshake included.
    socket.once('close', admitted.release);
    wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request, admitted));
  });
  wss.on('connection', (socket: WebSocket, request: IncomingMessage, who: AdmittedUpgrade) => {
    serveClientConnection(socket, request, who, {
      host,
      log,
      outbound,
      tokensEnabled: tokens?.enabled === true,
      heartbeatIntervalMs: options.heartbeatIntervalMs,
      helloTimeoutMs: options.helloTimeoutMs,
      idleTimeoutMs: options.idleTimeoutMs,
      track: (session, ws) => sessions.set(session, { socket: ws, token: who.token }),
      forget: (session) => sessions.delete(session),
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
    const done = runs.settled().then(() => true as const);
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
