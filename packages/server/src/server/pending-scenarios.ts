import { MAX_SCENARIOS_PER_RUN, type RunScenariosMessage } from '@baleen/protocol';
import type { PlannedScenarios } from '../scheduler/run-plan.js';

/** Runs of one connection that may have scenario lists waiting for their `run` message at once. */
export const MAX_PENDING_SCENARIO_RUNS = 4;

/**
 * The expected scenarios a client sends in run-scenarios frames ahead of its `run`, held per runRef until the run
 * arrives. Bounded: a client cannot make the server hold more than a few runs' lists of at most
 * MAX_SCENARIOS_PER_RUN scenarios each.
 */
export class PendingScenarios {
  readonly #runs = new Map<string, { files: Map<number, PlannedScenarios>; count: number }>();

  /** Adds a frame's lists; returns why it was refused, if it was. */
  add(message: RunScenariosMessage): string | undefined {
    let run = this.#runs.get(message.runRef);
    if (run === undefined) {
      if (this.#runs.size >= MAX_PENDING_SCENARIO_RUNS) {
        return `at most ${MAX_PENDING_SCENARIO_RUNS} runs may have scenario lists waiting for their run message`;
      }
      run = { files: new Map(), count: 0 };
      this.#runs.set(message.runRef, run);
    }
    for (const file of message.files) {
      const known = run.files.get(file.index);
      const scenarios = [...(known?.scenarios ?? []), ...file.scenarios];
      run.count += file.scenarios.length;
      if (run.count > MAX_SCENARIOS_PER_RUN) {
        this.#runs.delete(message.runRef);
        return `a run may name at most ${MAX_SCENARIOS_PER_RUN} scenarios`;
      }
      run.files.set(file.index, { scenarios, byLine: (known?.byLine ?? false) || file.byLine === true });
    }
    return undefined;
  }

  /**
   * The lists for a run of `fileCount` files, by file index, and forgets them; a refusal when a list names a file
   * the run does not have.
   */
  take(runRef: string, fileCount: number): { scenarios: (PlannedScenarios | undefined)[] } | { refusal: string } {
    const run = this.#runs.get(runRef);
    this.#runs.delete(runRef);
    const scenarios = new Array<PlannedScenarios | undefined>(fileCount).fill(undefined);
    for (const [index, planned] of run?.files ?? []) {
      if (index >= fileCount)
        return { refusal: `run-scenarios names file ${index}, but the run has ${fileCount} files` };
      scenarios[index] = planned;
    }
    return { scenarios };
  }
}
