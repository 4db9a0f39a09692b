import { EXIT, type ExitCode } from '../exit-codes.js';
import type { RunResult } from './run-on-server.js';

/** The exit code a run earns. Never 0 for a run that tested nothing or could not run a file. */
export function exitCodeFor(
  result: RunResult,
  interrupted: boolean,
  options: { failOnFlaky?: boolean } = {},
): ExitCode {
  const { status, totals } = result.finished;
  if (interrupted || status === 'cancelled') return EXIT.interrupted;
  if (status === 'error' || totals.error > 0 || totals.notRun > 0) return EXIT.error;
  if (totals.failed > 0 || totals.timedOut > 0 || totals.oom > 0 || totals.cancelled > 0) return EXIT.failed;
  if (totals.flaky > 0 && options.failOnFlaky === true) return EXIT.failed;
  return totals.passed + totals.flaky > 0 && totals.passed + totals.flaky === totals.files ? EXIT.passed : EXIT.error;
}
