import { availableParallelism } from 'node:os';
import { DEFAULT_MAX_OUTPUT_BYTES } from '@baleen/protocol';
import type { ContainerBackend } from '../backend/container-backend.js';
import type { Logger } from '../log/logger.js';

export const DEFAULT_HOST = '127.0.0.1';
/** Baleen's port. */
export const DEFAULT_PORT = 5533;
/** Largest frame a client may send; a run of thousands of files fits well within it. */
export const MAX_CLIENT_FRAME_BYTES = 4 * 1024 * 1024;

/**
 * Two containers per core: a test container spends much of its life waiting (engine set-up, I/O, sleeps), so
 * this keeps the cores busy without making a 2-core laptop unresponsive.
 */
export function defaultCapacity(): number {
  return Math.max(2, Math.min(16, availableParallelism() * 2));
}

export interface ServerOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  capacity: number;
  maxOutputBytes: number;
  serverId?: string;
  log: Logger;
  /** The container engine; defaults to the Docker engine from DOCKER_HOST or the default socket. */
  backend?: ContainerBackend;
}

export function withServerDefaults(options: Partial<ServerOptions> & Pick<ServerOptions, 'log'>): ServerOptions {
  return {
    host: DEFAULT_HOST,
    port: DEFAULT_PORT,
    capacity: defaultCapacity(),
    maxOutputBytes: DEFAULT_MAX_OUTPUT_BYTES,
    ...options,
  };
}
