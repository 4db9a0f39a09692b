import type { FileStatus } from '@baleen/protocol';

/** A final attempt at a file (or at one chunk of it), as the queries read it. */
export interface FinalAttemptRow {
  run: number;
  status: FileStatus;
  attempt: number;
  durationMs: number;
}

/** What one file did in one run, its chunks taken together. */
export interface RunOutcome {
  run: number;
  status: FileStatus;
  /** The most attempts any of its chunks took. */
  attempts: number;
  /** All chunks' durations added up: the file's time had it run whole. */
  durationMs: number;
}

/** Statuses whose duration is the file's own; a cancelled or errored attempt stopped for other reasons. */
export const RAN_TO_AN_END: ReadonlySet<FileStatus> = new Set<FileStatus>(['passed', 'failed', 'timed-out', 'oom']);

/** A split file's status is its worst chunk's: a test failure first, then what stopped it, then a pass. */
const WORST_FIRST: readonly FileStatus[] = ['failed', 'timed-out', 'oom', 'error', 'cancelled', 'passed'];

export function worstStatus(statuses: readonly FileStatus[]): FileStatus {
  return WORST_FIRST.find((status) => statuses.includes(status)) ?? 'error';
}

/** Folds rows ordered by run (one row per chunk) into one outcome per run, in the same order. */
export function* outcomesByRun(rows: Iterable<FinalAttemptRow>): Generator<RunOutcome> {
  let group: FinalAttemptRow[] = [];
  for (const row of rows) {
    if (group.length > 0 && group[0]?.run !== row.run) {
      yield combine(group);
      group = [];
    }
    group.push(row);
  }
  if (group.length > 0) yield combine(group);
}

function combine(chunks: readonly FinalAttemptRow[]): RunOutcome {
  return {
    run: chunks[0]?.run ?? 0,
    status: worstStatus(chunks.map((chunk) => chunk.status)),
    attempts: Math.max(...chunks.map((chunk) => chunk.attempt)),
    durationMs: chunks.reduce((sum, chunk) => sum + chunk.durationMs, 0),
  };
}
