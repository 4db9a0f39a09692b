import { availableParallelism } from 'node:os';
import { DEFAULT_MAX_OUTPUT_BYTES, defaultCapacity } from '@baleen/protocol';
import type { ContainerBackend } from '../backend/container-backend.js';
import { STRICT_POLICY, type ContainerPolicy } from './container-policy.js';
import type { TokenStore } from '../auth/token-store.js';
import { OPEN_IMAGE_POLICY, type ImagePolicy } from './image-policy.js';
import type { Logger } from '../log/logger.js';

export const DEFAULT_HOST = '127.0.0.1';
/** Baleen's port. */
export const DEFAULT_PORT = 5533;
/** Largest frame a client may send; a run of thousands of files fits well within it. */
export const MAX_CLIENT_FRAME_BYTES = 1024 * 1024;
/** How often clients are pinged; one that misses a pong by the next ping is dropped and its runs cancelled. */
export const HEARTBEAT_INTERVAL_MS = 10_000;
/** Output queued for a client that reads too slowly; past it the client is dropped rather than buffered. */
export const MAX_CLIENT_BUFFERED_BYTES = 64 * 1024 * 1024;
/** Output queued for all clients together; past it, the clients with the most queued are dropped. */
export const MAX_BUFFERED_BYTES = 128 * 1024 * 1024;
/** WebSocket connections at once, server-wide and per token. */
export const DEFAULT_MAX_CONNECTIONS = 256;
export const DEFAULT_MAX_CONNECTIONS_PER_TOKEN = 16;
/** Sockets connected but not yet a WebSocket; past it the oldest is closed. */
export const MAX_PENDING_CONNECTIONS = 256;
/** How long a socket may take to become a WebSocket (HTTP upgrade, or TLS handshake and upgrade). */
export const HANDSHAKE_TIMEOUT_MS = 10_000;
/** How long a new connection may take to say hello. */
export const HELLO_TIMEOUT_MS = 10_000;
/** A connection with no run, no open sync and no frame for this long is closed. */
export const IDLE_TIMEOUT_MS = 300_000;
export const DEFAULT_MAX_RUNS_PER_CLIENT = 4;
export const DEFAULT_MAX_SYNC_BYTES = 256 * 1024 * 1024;
export const DEFAULT_SYNC_CACHE_BYTES = 1024 * 1024 * 1024;

/**
 * Start-ups at once: two per core. A start-up (the engine creating the container, the test runner loading) is
 * CPU-bound, so more at once only makes each slower, and the longest file (started first) waits its turn.
 */
export function defaultStartConcurrency(): number {
  return Math.max(2, availableParallelism() * 2);
}

// The client's default concurrency and the server's default capacity are the same number.
export { defaultCapacity } from '@baleen/protocol';

export interface ServerOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  capacity: number;
  /** Containers starting up at once (a second CapacityGate, the server's start gate); the rest wait their turn to start. */
  startConcurrency: number;
  maxOutputBytes: number;
  serverId?: string;
  /** Remove this server id's containers left by an earlier instance before listening (needs a stable id). */
  reapOnStart?: boolean;
  /** Start a reaper container that cleans up after this server if its process dies (see reaper/). */
  reaper?: boolean;
  /**
   * Embedded in a client process (the CLI's default): the id names this host and process, and what embedded
   * servers of ended processes on this host left behind is swept in the background (see embedded-owner.ts).
   */
  embedded?: boolean;
  log: Logger;
  /** When enabled, a client must present one of these tokens at the HTTP upgrade. */
  tokens?: TokenStore;
  /** Allow listening beyond loopback without tokens. */
  insecureNoAuth?: boolean;
  /** TLS key and certificate (PEM): serve wss:// instead of ws://. */
  tls?: { key: Buffer; cert: Buffer };
  /** Which images a run may use (--allow-image, local registries). */
  imagePolicy: ImagePolicy;
  /** Serve /metrics without a token (it is behind one when tokens are on). */
  publicMetrics?: boolean;
  maxConnections: number;
  maxConnectionsPerToken: number;
  maxPendingConnections: number;
  handshakeTimeoutMs: number;
  helloTimeoutMs: number;
  idleTimeoutMs: number;
  /** What may be queued for all clients together, and for one. */
  maxBufferedBytes: number;
  maxClientBufferedBytes: number;
  /** What containers get by default and what a client may loosen. */
  containerPolicy: ContainerPolicy;
  /** Runs one token (one tenant) may have at once, over all its connections. */
  maxRunsPerClient: number;
  heartbeatIntervalMs: number;
  /** Largest workspace tree (sum of file sizes) a client may sync. */
  maxSyncBytes: number;
  /** Synced trees kept for reuse, in bytes; least recently used ones go first. */
  syncCacheBytes: number;
  /** Where synced trees are kept; a fresh temporary folder by default. */
  syncDir?: string;
  /**
   * The suite history (SQLite): how long each file and scenario took, for the order, packs and splits, and what
   * every run did. A shared server keeps it in its state dir; an embedded one in the project (`.baleen/`).
   */
  historyFile?: string;
  /**
   * Serve the web dashboard at `/` of this listener (behind the same tokens). On by default for a shared server;
   * the embedded server passes false.
   */
  dashboard?: boolean;
  /** The container engine; defaults to the Docker engine from DOCKER_HOST or the default socket. */
  backend?: ContainerBackend;
}

export function withServerDefaults(options: Partial<ServerOptions> & Pick<ServerOptions, 'log'>): ServerOptions {
  return {
    host: DEFAULT_HOST,
    port: DEFAULT_PORT,
    capacity: defaultCapacity(),
    startConcurrency: defaultStartConcurrency(),
    maxOutputBytes: DEFAULT_MAX_OUTPUT_BYTES,
    imagePolicy: OPEN_IMAGE_POLICY,
    maxConnections: DEFAULT_MAX_CONNECTIONS,
    maxConnectionsPerToken: DEFAULT_MAX_CONNECTIONS_PER_TOKEN,
    maxPendingConnections: MAX_PENDING_CONNECTIONS,
    handshakeTimeoutMs: HANDSHAKE_TIMEOUT_MS,
    helloTimeoutMs: HELLO_TIMEOUT_MS,
    idleTimeoutMs: IDLE_TIMEOUT_MS,
    maxBufferedBytes: MAX_BUFFERED_BYTES,
    maxClientBufferedBytes: MAX_CLIENT_BUFFERED_BYTES,
    containerPolicy: STRICT_POLICY,
    maxRunsPerClient: DEFAULT_MAX_RUNS_PER_CLIENT,
    heartbeatIntervalMs: HEARTBEAT_INTERVAL_MS,
    maxSyncBytes: DEFAULT_MAX_SYNC_BYTES,
    syncCacheBytes: DEFAULT_SYNC_CACHE_BYTES,
    ...options,
  };
}
