import type { FileFinishedMessage, RunFinishedMessage, ScenarioFinishedMessage } from '@baleen/protocol';
import type { RunHistory } from '../scheduler/execute-run.js';
import type { FileEstimate } from '../scheduler/plan-units.js';
import type { RunPlan } from '../scheduler/run-plan.js';
import type { UnitFileResult } from '../scheduler/run-unit.js';
import type { HistoryStore } from './history-store.js';
import type { LastRun } from './history-records.js';

/**
 * The scheduler's view of a HistoryStore: estimates for the order, packs and splits, and every attempt, scenario
 * and run end recorded as they happen. A store that fails keeps the run going (it reports through its own
 * onError): history orders runs, it never decides a result.
 */
export class StoreRunHistory implements RunHistory {
  constructor(
    readonly store: HistoryStore,
    readonly source: 'server' | 'project',
  ) {}

  fileEstimates(suite: string, files: readonly string[]): ReadonlyMap<string, FileEstimate> {
    return this.store.fileEstimates(suite, files);
  }

  scenarioEstimates(suite: string, file: string): ReadonlyMap<number, number> {
    return this.store.scenarioEstimates(suite, file);
  }

  /** `--last-failed`: the suite's latest finished run by `client` (a shared server's tenant). */
  lastRun(suite: string, client: string): LastRun | undefined {
    return this.store.lastRun(suite, client);
  }

  runStarted(plan: RunPlan): void {
    this.store.recordRunStarted({
      runId: plan.runId,
      suite: plan.suite,
      client: plan.client,
      image: plan.image,
      fileCount: plan.files.length,
      startedAt: new Date(),
    });
  }

  fileFinished(plan: RunPlan, result: FileFinishedMessage, chunks: readonly UnitFileResult[] | undefined): void {
    const final = result.willRetry !== true;
    if (chunks === undefined) {
      this.#record(plan, result, final, undefined);
      return;
    }
    // A split file: each chunk's latest run, so that estimates add up the file's chunks of one run.
    for (const chunk of chunks) {
      const label = chunk.chunk === undefined ? undefined : `${chunk.chunk.part} of ${chunk.chunk.parts}`;
      this.#record(plan, chunk.result, final, label);
    }
  }

  scenarioFinished(plan: RunPlan, message: ScenarioFinishedMessage): void {
    if (message.line === null) return;
    this.store.recordScenario({
      runId: plan.runId,
      file: message.file,
      line: message.line,
      name: message.name,
      attempt: message.attempt,
      status: message.status,
      durationMs: message.durationMs,
      ...(message.errorMessage === undefined ? {} : { errorMessage: message.errorMessage }),
    });
  }

  close(): void {
    this.store.close();
  }

  runFinished(plan: RunPlan, finished: RunFinishedMessage): void {
    this.store.recordRunFinished({
      runId: plan.runId,
      status: finished.status,
      wallTimeMs: finished.wallTimeMs,
      totals: { ...finished.totals },
      finishedAt: new Date(),
    });
  }

  #record(plan: RunPlan, result: FileFinishedMessage, final: boolean, chunk: string | undefined): void {
    this.store.recordFileAttempt({
      runId: plan.runId,
      file: result.file,
      attempt: result.attempt,
      final,
      status: result.status,
      exitCode: result.exitCode,
      // A packed file took its scenarios' time in a container that had started already; what the history
      // estimates is the file alone: its start-up and its scenarios.
      durationMs:
        result.pack !== undefined && result.runMs !== undefined
          ? (result.startupMs ?? 0) + result.runMs
          : result.durationMs,
      startupMs: result.startupMs,
      runMs: result.runMs,
      containerId: result.containerId,
      node: result.node,
      errorCode: result.error?.code,
      errorMessage: result.error?.message,
      ...(result.scenarios === undefined ? {} : { scenarios: { ...result.scenarios } }),
      ...(result.pack === undefined ? {} : { pack: `${result.pack.files} files` }),
      chunk,
    });
  }
}
