import { DockerBackend } from '../backend/docker/docker-backend.js';
import type { BuildImageOptions } from '../backend/docker/build-image.js';
import { createLogger, silentLogger } from '../log/logger.js';
import { startServer, type RunningServer } from './baleen-server.js';
import { OPEN_POLICY } from './container-policy.js';

export interface EmbeddedServerOptions {
  /** Containers at once: the run's own concurrency. */
  capacity: number;
  maxOutputBytes?: number;
  /** The project's suite history (`.baleen/history.sqlite`). */
  historyFile?: string;
}

/**
 * The server a `baleen` CLI runs in its own process when no --server is given: loopback only, a free port, for the
 * user alone — so every container option the engine allows and its default network — silent unless
 * BALEEN_LOG_LEVEL says otherwise, and named after its process so the next one sweeps what it leaves if it is
 * killed hard. The policy is the server's to choose, not the client's.
 */
export function startEmbeddedServer(options: EmbeddedServerOptions): Promise<RunningServer> {
  return startServer({
    host: '127.0.0.1',
    port: 0,
    capacity: options.capacity,
    ...(options.maxOutputBytes === undefined ? {} : { maxOutputBytes: options.maxOutputBytes }),
    log: createLogger('silent'),
    embedded: true,
    containerPolicy: OPEN_POLICY,
    ...(options.historyFile === undefined ? {} : { historyFile: options.historyFile }),
  });
}

/** `--build`: an image built on this machine's engine (DOCKER_HOST or the default socket), its log streamed. */
export async function buildImageOnLocalEngine(options: BuildImageOptions): Promise<void> {
  await new DockerBackend(silentLogger()).build(options);
}
