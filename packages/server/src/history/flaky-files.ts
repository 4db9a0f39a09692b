import type { FlakyFile } from './history-records.js';
import type { RunOutcome } from './run-outcome.js';

/**
 * Whether a file behaved flakily over its outcomes (newest first): it passed only on a retry, or its outcome
 * changed at least twice (pass, fail, pass). A single change is a file that broke or was fixed, not a flaky one.
 * Cancelled and errored runs say nothing about the file and are left out.
 */
export function flakiness(file: string, newestFirst: readonly RunOutcome[]): FlakyFile | undefined {
  const outcomes = newestFirst.filter((outcome) => outcome.ranToEnd).reverse();
  let retriedPasses = 0;
  let flips = 0;
  let flakyRuns = 0;
  outcomes.forEach((outcome, index) => {
    const passed = outcome.status === 'passed';
    const retried = passed && outcome.attempts > 1;
    const previous = outcomes[index - 1];
    const flipped = previous !== undefined && (previous.status === 'passed') !== passed;
    if (retried) retriedPasses += 1;
    if (flipped) flips += 1;
    if (retried || flipped) flakyRuns += 1;
  });
  if (retriedPasses === 0 && flips < 2) return undefined;
  return { file, runs: outcomes.length, retriedPasses, flips, flakyRate: flakyRuns / outcomes.length };
}
