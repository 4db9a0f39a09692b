import type { FileFinishedMessage, RunTotals } from '@baleen/protocol';

export function emptyTotals(files: number): RunTotals {
  return { files, passed: 0, failed: 0, timedOut: 0, cancelled: 0, error: 0, oom: 0, flaky: 0, notRun: files };
}

/** Counts one file's final result; every file is counted exactly once, so none is dropped from the totals. */
export function countResult(totals: RunTotals, result: Pick<FileFinishedMessage, 'status' | 'attempt'>): void {
  totals.notRun -= 1;
  switch (result.status) {
    case 'passed':
      if (result.attempt > 1) totals.flaky += 1;
      else totals.passed += 1;
      break;
    case 'failed':
      totals.failed += 1;
      break;
    case 'timed-out':
      totals.timedOut += 1;
      break;
    case 'oom':
      totals.oom += 1;
      break;
    case 'cancelled':
      totals.cancelled += 1;
      break;
    case 'error':
      totals.error += 1;
      break;
  }
}
