import type { FileAttemptRecord, RunFinishedRecord, RunStartedRecord, ScenarioRecord } from './history-records.js';

/** A record waiting in the buffer for the next flush. */
export type PendingWrite =
  | { type: 'run-started'; record: RunStartedRecord }
  | { type: 'file-attempt'; record: FileAttemptRecord }
  | { type: 'scenario'; record: ScenarioRecord }
  | { type: 'run-finished'; record: RunFinishedRecord };
