import { availableParallelism } from 'node:os';

/** Protocol-level bounds: what any server accepts at most, whatever its own settings. */
export const MAX_FILES_PER_RUN = 10_000;
export const MAX_PATH_LENGTH = 4_096;
export const MAX_ARG_LENGTH = 32_768;
export const MAX_ARGS = 1_024;
export const MAX_ENV_VARS = 512;
export const MAX_TIMEOUT_SECONDS = 24 * 60 * 60;
export const MAX_CONCURRENCY = 1_024;
export const MAX_RETRIES = 10;
/** Default cap of kept output per stream per file. */
export const DEFAULT_MAX_OUTPUT_BYTES = 4 * 1024 * 1024;
/** The placeholder in a run's command replaced by the file's path; appended when absent. */
export const FILE_PLACEHOLDER = '{file}';

/**
 * Two containers per core: a test container spends much of its life waiting (engine set-up, I/O, sleeps), so
 * this keeps the cores busy without making a 2-core laptop unresponsive. The server's default capacity and the
 * client's default concurrency.
 */
export function defaultCapacity(): number {
  return Math.max(2, Math.min(16, availableParallelism() * 2));
}
