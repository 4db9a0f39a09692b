import { BaleenError, type RunFinishedMessage, type ServerMessage } from '@baleen/protocol';
import pLimit from 'p-limit';
import type { Logger } from 'pino';
import type { ContainerBackend } from '../backend/container-backend.js';
import { LABELS } from '../backend/container-labels.js';
import type { CapacityGate } from './capacity-gate.js';
import { runFile } from './run-file.js';
import type { RunPlan } from './run-plan.js';
import { countResult, emptyTotals } from './run-totals.js';

export interface ExecuteRunDeps {
  backend: ContainerBackend;
  gate: CapacityGate;
  log: Logger;
  emit: (message: ServerMessage) => void;
  observeStartLatency?: (seconds: number) => void;
  /** Told when the sweep after a run failed (engine gone), so the server can sweep it once the engine is back. */
  onSweepFailed?: (runId: string) => void;
  /** Called once the engine answers at a run's start: a chance to sweep what earlier runs could not. */
  onEngineReachable?: () => Promise<void>;
}

/**
 * Runs every file of a run in a rolling pool: at most `concurrency` of this run's files hold or wait for a
 * slot at once, and the capacity gate bounds all runs together. When a file finishes, the next one starts at
 * once; there are no batches. Resolves with the run's end, never rejects.
 */
export async function executeRun(
  plan: RunPlan,
  deps: ExecuteRunDeps,
  signal: AbortSignal,
): Promise<RunFinishedMessage> {
  const began = performance.now();
  const totals = emptyTotals(plan.files.length);
  const finished = (status: RunFinishedMessage['status'], error?: BaleenError): RunFinishedMessage => ({
    type: 'run-finished',
    runId: plan.runId,
    status,
    totals,
    wallTimeMs: Math.round(performance.now() - began),
    ...(error === undefined ? {} : { error: { code: error.code, message: error.message } }),
  });

  try {
    // One clear error for the whole run beats the same error once per file.
    await deps.backend.ping();
    await deps.onEngineReachable?.();
    await deps.backend.ensureImage(plan.image);
  } catch (error) {
    const failure = error instanceof BaleenError ? error : new BaleenError('INTERNAL', String(error), { cause: error });
    deps.log.warn({ code: failure.code }, failure.message);
    return finished('error', failure);
  }

  // --fail-fast stops the rest of the run through the same signal as a cancellation, with its own reason.
  const failFast = new AbortController();
  const runSignal = AbortSignal.any([signal, failFast.signal]);
  const cancelReason = (): string =>
    failFast.signal.aborted && !signal.aborted ? (failFast.signal.reason as Error).message : 'the run was cancelled';
  const fileDeps = {
    backend: deps.backend,
    gate: deps.gate,
    emit: deps.emit,
    cancelReason,
    ...(deps.observeStartLatency === undefined ? {} : { observeStartLatency: deps.observeStartLatency }),
  };
  const limit = pLimit(plan.concurrency);
  try {
    await Promise.all(
      plan.files.map((file, index) =>
        limit(async () => {
          for (let attempt = 1; ; attempt += 1) {
            const result = await runFile({ plan, index, attempt }, fileDeps, runSignal);
            const failed = result.status === 'failed' || result.status === 'timed-out';
            if (failed && attempt <= plan.retries && !runSignal.aborted) {
              // A fresh container for the next attempt; this one is reported but not counted.
              deps.emit({ ...result, willRetry: true });
              continue;
            }
            countResult(totals, result);
            if (plan.failFast && (failed || result.status === 'error') && !failFast.signal.aborted) {
              failFast.abort(new Error(`--fail-fast stopped the run after ${file} ${result.status}`));
            }
            deps.emit(result);
            return;
          }
        }),
      ),
    );
  } finally {
    await sweep(plan, deps);
  }

  if (signal.aborted) return finished('cancelled');
  return finished(totals.passed + totals.flaky === totals.files ? 'passed' : 'failed');
}

/** Each container removes itself; this catches any whose removal failed, so nothing of the run is left. */
async function sweep(plan: RunPlan, deps: ExecuteRunDeps): Promise<void> {
  try {
    const removed = await deps.backend.removeContainers({ [LABELS.run]: plan.runId, [LABELS.server]: plan.serverId });
    if (removed > 0) deps.log.warn({ removed }, 'swept containers left behind by the run');
  } catch (error) {
    deps.log.warn({ err: String(error) }, 'sweep after the run failed; it is retried when the engine answers again');
    deps.onSweepFailed?.(plan.runId);
  }
}
