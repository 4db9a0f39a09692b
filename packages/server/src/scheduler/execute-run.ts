import { setMaxListeners } from 'node:events';
import {
  BaleenError,
  type FileFinishedMessage,
  type RunFinishedMessage,
  type RunTotals,
  type ServerMessage,
} from '@baleen/protocol';
import pLimit from 'p-limit';
import type { Logger } from 'pino';
import type { ContainerBackend, VolumeMount } from '../backend/container-backend.js';
import { LABELS } from '../backend/container-labels.js';
import type { CapacityGate } from './capacity-gate.js';
import { runPrepareStage } from './prepare-stage.js';
import { runFile } from './run-file.js';
import type { RunPlan } from './run-plan.js';
import { countResult, emptyTotals } from './run-totals.js';

export interface ExecuteRunDeps {
  backend: ContainerBackend;
  gate: CapacityGate;
  /** Bounds start-ups at once across all runs (see RunFileDeps.startGate). */
  startGate?: CapacityGate;
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
    await deps.backend.ensureImage(plan.image, plan.pull);
  } catch (error) {
    const failure = error instanceof BaleenError ? error : new BaleenError('INTERNAL', String(error), { cause: error });
    deps.log.warn({ code: failure.code }, failure.message);
    return finished('error', failure);
  }

  // --fail-fast stops the rest of the run through the same signal as a cancellation, with its own reason.
  const failFast = new AbortController();
  const runSignal = AbortSignal.any([signal, failFast.signal]);
  // One listener per file waiting for a slot is expected, not a leak: a run may have thousands of files.
  setMaxListeners(0, runSignal);
  const cancelReason = (): string =>
    failFast.signal.aborted && !signal.aborted ? (failFast.signal.reason as Error).message : 'the run was cancelled';
  const limit = pLimit(plan.concurrency);
  try {
    let mounts: VolumeMount[] = [];
    if (plan.prepare !== undefined) {
      const prepared = await prepare({ ...plan, prepare: plan.prepare }, deps, signal);
      if (!prepared.ok) {
        notRun(plan, totals, deps, prepared.error.message);
        return finished(
          signal.aborted ? 'cancelled' : prepared.error.code === 'PREPARE_FAILED' ? 'failed' : 'error',
          prepared.error,
        );
      }
      mounts = prepared.mounts;
    }
    const fileDeps = {
      backend: deps.backend,
      gate: deps.gate,
      ...(deps.startGate === undefined ? {} : { startGate: deps.startGate }),
      emit: deps.emit,
      cancelReason,
      mounts,
      ...(deps.observeStartLatency === undefined ? {} : { observeStartLatency: deps.observeStartLatency }),
    };
    await Promise.all(
      plan.files.map((file, index) =>
        limit(async () => {
          for (let attempt = 1; ; attempt += 1) {
            const result = await runFile({ plan, index, attempt }, fileDeps, runSignal);
            const failed = result.status === 'failed' || result.status === 'timed-out' || result.status === 'oom';
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

type Prepared = { ok: true; mounts: VolumeMount[] } | { ok: false; error: BaleenError };

async function prepare(
  plan: RunPlan & { prepare: string },
  deps: ExecuteRunDeps,
  signal: AbortSignal,
): Promise<Prepared> {
  try {
    const result = await runPrepareStage(plan, deps, signal);
    if (result.ok) return result;
    const { error } = result.finished;
    return {
      ok: false,
      error: new BaleenError(error?.code ?? 'PREPARE_FAILED', error?.message ?? 'the prepare stage failed'),
    };
  } catch (error) {
    // Only a cancellation while waiting for a slot, or a volume the engine would not create, gets here.
    const message = signal.aborted ? 'the run was cancelled before its prepare stage ran' : String(error);
    return { ok: false, error: error instanceof BaleenError ? error : new BaleenError('PREPARE_FAILED', message) };
  }
}

/** Every file of a run that ends before its files start is reported, so none is silently dropped. */
function notRun(plan: RunPlan, totals: RunTotals, deps: ExecuteRunDeps, why: string): void {
  plan.files.forEach((file, fileIndex) => {
    const result: FileFinishedMessage = {
      type: 'file-finished',
      runId: plan.runId,
      fileIndex,
      file,
      attempt: 1,
      status: 'cancelled',
      exitCode: null,
      durationMs: 0,
      containerId: null,
      stdout: '',
      stderr: '',
      stdoutTruncated: false,
      stderrTruncated: false,
      error: { code: 'CANCELLED', message: `not run: ${why}` },
    };
    countResult(totals, result);
    deps.emit(result);
  });
}

/** Each container removes itself; this catches any whose removal failed, so nothing of the run is left. */
async function sweep(plan: RunPlan, deps: ExecuteRunDeps): Promise<void> {
  // Kept containers (and the /job volume they may use) are the point of --keep: the user removes them.
  if (plan.container.keep) return;
  try {
    const labels = { [LABELS.run]: plan.runId, [LABELS.server]: plan.serverId };
    const removed = await deps.backend.removeContainers(labels);
    if (removed > 0) deps.log.warn({ removed }, 'swept containers left behind by the run');
    await deps.backend.removeVolumes(labels);
  } catch (error) {
    deps.log.warn({ err: String(error) }, 'sweep after the run failed; it is retried when the engine answers again');
    deps.onSweepFailed?.(plan.runId);
  }
}
