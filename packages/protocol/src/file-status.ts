/**
 * How one attempt at one file ended.
 * - passed / failed: the test command exited 0 / non-zero.
 * - timed-out: the file's deadline killed its container.
 * - cancelled: the run was cancelled (Ctrl-C, client gone) before or while the file ran.
 * - oom: the container was killed by its memory limit.
 * - error: the file could not be run (container could not be created or started, engine failure).
 */
export const FILE_STATUSES = ['passed', 'failed', 'timed-out', 'oom', 'cancelled', 'error'] as const;
export type FileStatus = (typeof FILE_STATUSES)[number];

/** A scenario's status as cucumber reports it (its worst step result). */
export const SCENARIO_STATUSES = [
  'passed',
  'failed',
  'pending',
  'undefined',
  'ambiguous',
  'skipped',
  'unknown',
] as const;
export type ScenarioStatus = (typeof SCENARIO_STATUSES)[number];

/** How a whole run ended. */
export const RUN_STATUSES = ['passed', 'failed', 'cancelled', 'error'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
