import { readFileSync } from 'node:fs';
import { DEFAULT_MAX_OUTPUT_BYTES } from '@baleen/protocol';
import path from 'node:path';
import { Command, Option } from 'commander';
import { collect, port, positiveInt } from './option-parsers.js';
import { TokenStore } from './auth/token-store.js';
import { loadTenantKey } from './state/tenant-key.js';
import { availableParallelism } from 'node:os';
import { DEFAULT_CONTAINER_LIMITS, SHARED_SERVER_CAP_DROP } from './backend/container-backend.js';
import { DockerBackend } from './backend/docker/docker-backend.js';
import { SwarmBackend } from './backend/swarm/swarm-backend.js';
import { createLogger, LOG_FORMATS, type LogFormat } from './log/logger.js';
import { startServer } from './server/baleen-server.js';
import { parseImagePattern } from './server/image-policy.js';
import {
  DEFAULT_HOST,
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_MAX_CONNECTIONS_PER_TOKEN,
  HANDSHAKE_TIMEOUT_MS,
  HEARTBEAT_INTERVAL_MS,
  IDLE_TIMEOUT_MS,
  MAX_BUFFERED_BYTES,
  DEFAULT_MAX_RUNS_PER_CLIENT,
  DEFAULT_MAX_SYNC_BYTES,
  DEFAULT_SYNC_CACHE_BYTES,
  DEFAULT_PORT,
  defaultCapacity,
  defaultStartConcurrency,
} from './server/server-options.js';
import { SERVER_VERSION } from './server/version.js';
import { defaultStateDir, loadServerId } from './state/server-identity.js';

const program = new Command()
  .name('baleen-server')
  .description('Runs one Docker container per test file for Baleen clients, within a shared capacity.')
  .version(SERVER_VERSION)
  .exitOverride()
  .showHelpAfterError('(run with --help for usage)')
  .option(
    '--host <address>',
    'address to listen on (beyond loopback only with tokens or --insecure-no-auth)',
    DEFAULT_HOST,
  )
  .option('--port <port>', 'port to listen on (0 picks a free one)', port, DEFAULT_PORT)
  .addOption(
    new Option('--backend <name>', 'where containers run: one Docker engine, or a Docker Swarm (this engine a manager)')
      .choices(['docker', 'swarm'])
      .default('docker'),
  )
  .option('--capacity <n>', 'containers at once, across all runs', positiveInt, defaultCapacity())
  .option(
    '--start-concurrency <n>',
    'containers starting up at once (the rest of the capacity waits its turn to start)',
    positiveInt,
    defaultStartConcurrency(),
  )
  .option(
    '--max-sync-bytes <n>',
    'largest project tree a client may send with --sync',
    positiveInt,
    DEFAULT_MAX_SYNC_BYTES,
  )
  .option(
    '--sync-cache-bytes <n>',
    'synced trees kept for reuse (least recently used go first)',
    positiveInt,
    DEFAULT_SYNC_CACHE_BYTES,
  )
  .option('--token <token>', 'a token clients must present (repeatable; also BALEEN_TOKEN)', collect, [])
  .option('--token-file <file>', 'tokens, one per line; re-read on SIGHUP, so a token is revoked by deleting its line')
  .option('--insecure-no-auth', 'allow listening beyond loopback without tokens')
  .option('--tls-cert <file>', 'PEM certificate: serve wss://')
  .option('--tls-key <file>', 'PEM private key for --tls-cert')
  .option(
    '--allow-image <pattern>',
    'image a run may use, matched on the parsed reference: * within a registry label, or anywhere in the path ' +
      "or tag; a pattern naming a registry on this host (e.g. 'localhost:5000/*') is what allows one " +
      '(repeatable; default: any image from any registry not on this host)',
    collect,
    [],
  )
  .addOption(
    new Option('--dashboard <on|off>', 'serve the web dashboard at / of this port, behind the same tokens')
      .choices(['on', 'off'])
      .default('on'),
  )
  .option('--public-metrics', 'serve /metrics without a token (by default it needs one when tokens are on)')
  .option('--max-connections <n>', 'WebSocket connections at once', positiveInt, DEFAULT_MAX_CONNECTIONS)
  .option(
    '--max-connections-per-token <n>',
    'WebSocket connections at once per token',
    positiveInt,
    DEFAULT_MAX_CONNECTIONS_PER_TOKEN,
  )
  .option(
    '--max-buffered-bytes <n>',
    'output queued for all clients together; past it the clients that read slowest are dropped',
    positiveInt,
    MAX_BUFFERED_BYTES,
  )
  .option(
    '--handshake-timeout <seconds>',
    'how long a new socket may take to become a WebSocket, and then to say hello',
    positiveInt,
    HANDSHAKE_TIMEOUT_MS / 1000,
  )
  .option(
    '--idle-timeout <seconds>',
    'a connection with no run, no sync and no message for this long is closed',
    positiveInt,
    IDLE_TIMEOUT_MS / 1000,
  )
  .option(
    '--heartbeat-interval <seconds>',
    'how often clients are pinged; one that has not answered by the next ping is dropped',
    positiveInt,
    HEARTBEAT_INTERVAL_MS / 1000,
  )
  .option('--container-network <mode>', 'default network of test containers', DEFAULT_CONTAINER_LIMITS.network)
  .option(
    '--allow-network <name>',
    'a network a run may ask for (repeatable; * allows any, host included)',
    collect,
    [],
  )
  .option('--allow-privileged', 'let runs ask for privileged containers (root on this host)')
  .option('--allow-volumes', 'let runs mount host paths and named volumes')
  .option('--allow-gpus', 'let runs ask for GPUs')
  .option('--allow-publish', 'let runs publish container ports on this host')
  .option('--allow-keep', 'let runs keep their containers after the run (--keep, for debugging)')
  .option('--pids-limit <n>', 'processes per container', positiveInt, DEFAULT_CONTAINER_LIMITS.pidsLimit)
  .option(
    '--cpus-per-container <n>',
    'CPUs one container may use at most (a CFS quota; runs may ask for less)',
    positiveInt,
    Math.max(1, Math.floor(availableParallelism() / 2)),
  )
  .option(
    '--memory-mb <n>',
    'memory per container, with no extra swap',
    positiveInt,
    DEFAULT_CONTAINER_LIMITS.memoryBytes / 1024 / 1024,
  )
  .option(
    '--max-runs-per-client <n>',
    'runs one client (one token, over all its connections) may have at once',
    positiveInt,
    DEFAULT_MAX_RUNS_PER_CLIENT,
  )
  .option('--max-output-bytes <n>', 'output kept per stream per file', positiveInt, DEFAULT_MAX_OUTPUT_BYTES)
  .option('--no-reaper', 'do not start the reaper container that cleans up if this server dies')
  .option(
    '--state-dir <dir>',
    'where the stable server id (for cleaning up after a crash) and the suite history (history.sqlite) live',
    defaultStateDir(),
  )
  .option('--history <file>', 'the suite history database (default: history.sqlite in --state-dir)')
  .option('--no-history', 'keep no history: runs are ordered as given, and no file is split')
  .option(
    '--drain-timeout <seconds>',
    'on SIGTERM, how long running runs may go on before they are cancelled',
    positiveInt,
    60,
  )
  .option('--log-level <level>', 'trace | debug | info | warn | error | silent (or BALEEN_LOG_LEVEL)', 'info')
  .addOption(
    new Option(
      '--log-format <format>',
      'json lines, or readable lines (default: readable on a terminal, else json)',
    ).choices(LOG_FORMATS),
  )
  .addHelpText(
    'after',
    '\nExit codes: 0 stopped cleanly, 2 could not start (port in use, bad option, unsafe listen address).\n' +
      'Signals: SIGTERM stops taking runs, lets running ones finish up to --drain-timeout, then cancels them and\n' +
      'removes every container; a second SIGTERM/SIGINT cancels at once. SIGINT cancels at once. SIGHUP re-reads\n' +
      '--token-file. At start, containers left by an earlier instance with the same --state-dir are removed.',
  );

try {
  program.parse();
} catch (error) {
  // Help and version are successes; every other parse failure is a usage error (exit 2, as --help says).
  const code = (error as { code?: string; exitCode?: number }).code;
  process.exit(code === 'commander.helpDisplayed' || code === 'commander.version' ? 0 : 2);
}
const opts = program.opts<{
  host: string;
  port: number;
  capacity: number;
  startConcurrency: number;
  maxSyncBytes: number;
  syncCacheBytes: number;
  backend: 'docker' | 'swarm';
  token: string[];
  tokenFile?: string;
  insecureNoAuth?: boolean;
  tlsCert?: string;
  tlsKey?: string;
  allowImage: string[];
  publicMetrics?: boolean;
  dashboard: 'on' | 'off';
  maxConnections: number;
  maxConnectionsPerToken: number;
  maxBufferedBytes: number;
  handshakeTimeout: number;
  idleTimeout: number;
  heartbeatInterval: number;
  containerNetwork: string;
  allowNetwork: string[];
  allowPrivileged?: boolean;
  allowVolumes?: boolean;
  allowGpus?: boolean;
  allowPublish?: boolean;
  allowKeep?: boolean;
  pidsLimit: number;
  cpusPerContainer: number;
  memoryMb: number;
  maxRunsPerClient: number;
  maxOutputBytes: number;
  stateDir: string;
  /** A file, false (--no-history), or not given (the default place). */
  history?: string | boolean;
  reaper: boolean;
  drainTimeout: number;
  logLevel: string;
  logFormat?: LogFormat;
}>();
const log = createLogger(opts.logLevel, process.env, opts.logFormat);

function fail(message: string): never {
  process.stderr.write(`baleen-server: ${message}\n`);
  process.exit(2);
}

try {
  const tokens = new TokenStore(
    [...opts.token, process.env['BALEEN_TOKEN'] ?? ''],
    opts.tokenFile,
    await loadTenantKey(opts.stateDir),
  );
  await tokens.reload();
  if ((opts.tlsCert === undefined) !== (opts.tlsKey === undefined)) fail('--tls-cert and --tls-key go together');
  const tls =
    opts.tlsCert === undefined || opts.tlsKey === undefined
      ? undefined
      : { cert: readFileSync(opts.tlsCert), key: readFileSync(opts.tlsKey) };
  const serverId = await loadServerId(opts.stateDir);
  const server = await startServer({
    host: opts.host,
    port: opts.port,
    capacity: opts.capacity,
    startConcurrency: opts.startConcurrency,
    maxSyncBytes: opts.maxSyncBytes,
    syncCacheBytes: opts.syncCacheBytes,
    backend: opts.backend === 'swarm' ? new SwarmBackend(log) : new DockerBackend(log),
    maxOutputBytes: opts.maxOutputBytes,
    serverId,
    reapOnStart: true,
    // Swarm services are not containers of this engine: the reaper is for the docker backend.
    reaper: opts.reaper && opts.backend === 'docker',
    tokens,
    ...(opts.insecureNoAuth === true ? { insecureNoAuth: true } : {}),
    ...(tls === undefined ? {} : { tls }),
    // A shared server never pulls from a registry on its own host unless a pattern names that registry.
    imagePolicy: { patterns: opts.allowImage.map(parseImagePattern), refuseLocalRegistries: true },
    ...(opts.publicMetrics === true ? { publicMetrics: true } : {}),
    dashboard: opts.dashboard === 'on',
    maxConnections: opts.maxConnections,
    maxConnectionsPerToken: opts.maxConnectionsPerToken,
    maxBufferedBytes: opts.maxBufferedBytes,
    handshakeTimeoutMs: opts.handshakeTimeout * 1000,
    helloTimeoutMs: opts.handshakeTimeout * 1000,
    idleTimeoutMs: opts.idleTimeout * 1000,
    heartbeatIntervalMs: opts.heartbeatInterval * 1000,
    containerPolicy: {
      limits: {
        network: opts.containerNetwork,
        pidsLimit: opts.pidsLimit,
        memoryBytes: opts.memoryMb * 1024 * 1024,
        cpus: opts.cpusPerContainer,
        capDrop: SHARED_SERVER_CAP_DROP,
      },
      allowNetworks: opts.allowNetwork,
      allowPrivileged: opts.allowPrivileged === true,
      allowVolumes: opts.allowVolumes === true,
      allowGpus: opts.allowGpus === true,
      allowPublish: opts.allowPublish === true,
      allowKeep: opts.allowKeep === true,
    },
    maxRunsPerClient: opts.maxRunsPerClient,
    ...(opts.history === false
      ? {}
      : {
          historyFile: typeof opts.history === 'string' ? opts.history : path.join(opts.stateDir, 'history.sqlite'),
        }),
    log,
  });
  // Machine-readable for scripts and tests that start a server on port 0.
  process.stdout.write(`baleen-server listening on ${server.url}\n`);
  if (server.dashboardUrl !== undefined) process.stdout.write(`baleen-server dashboard at ${server.dashboardUrl}\n`);

  process.on('SIGHUP', () => {
    tokens.reload().then(
      () => log.info({ tokens: tokens.count }, 'token file re-read'),
      (error: unknown) => log.error({ err: String(error) }, 'could not re-read the token file; keeping the old tokens'),
    );
  });

  let stopping = false;
  const exitAfterClose = (): void => {
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, 'error while stopping');
        process.exit(1);
      },
    );
  };
  const stopNow = (signal: NodeJS.Signals): void => {
    if (stopping) log.warn({ signal }, 'second signal: cancelling every run now');
    else log.info({ signal }, 'stopping: cancelling runs and removing their containers');
    stopping = true;
    exitAfterClose();
  };
  process.on('SIGINT', stopNow);
  process.on('SIGTERM', (signal) => {
    if (stopping) {
      stopNow(signal);
      return;
    }
    stopping = true;
    log.info({ drainTimeout: opts.drainTimeout }, 'SIGTERM: taking no new runs; letting running ones finish');
    void server.drain(opts.drainTimeout * 1000).then((drained) => {
      if (!drained) log.warn('drain timeout: cancelling the runs still going');
      exitAfterClose();
    });
  });
} catch (error) {
  fail(`could not start on ${opts.host}:${opts.port}: ${(error as Error).message}`);
}
