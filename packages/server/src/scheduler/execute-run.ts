import { setMaxListeners } from 'node:events';
import {
  BaleenError,
  type ErrorCode,
  type FileFinishedMessage,
  type FileStartedMessage,
  type RunFinishedMessage,
  type RunPlannedMessage,
  type RunTotals,
  type ScenarioFinishedMessage,
  type ServerMessage,
} from '@baleen/protocol';
import pLimit from 'p-limit';
import type { Logger } from 'pino';
import type { ContainerBackend, VolumeMount } from '../backend/container-backend.js';
import type { Sweeper } from '../reaper/sweeper.js';
import type { CapacityGate } from './capacity-gate.js';
import { mergeChunks } from './merge-chunks.js';
import { planUnits, type FileEstimate, type WorkUnit } from './plan-units.js';
import { runPrepareStage } from './prepare-stage.js';
import type { RunPlan } from './run-plan.js';
import { countResult, emptyTotals } from './run-totals.js';
import { runUnit, type RunUnitDeps, type UnitFileResult } from './run-unit.js';

/** What the scheduler asks of a suite's history: how long files and scenarios took before. */
export interface SchedulingHistory {
  /** Where the history lives, for the client's banner: this server's store, or the project's own. */
  readonly source: 'server' | 'project';
  fileEstimates(suite: string, files: readonly string[]): ReadonlyMap<string, FileEstimate>;
  scenarioEstimates(suite: string, file: string): ReadonlyMap<number, number>;
}

/** What the scheduler tells a suite's history as a run goes: every attempt, scenario and the end. */
export interface RunHistory extends SchedulingHistory {
  runStarted(plan: RunPlan): void;
  /** A file's result; a split file's comes with its chunks' results, each recorded on its own. */
  fileFinished(plan: RunPlan, result: FileFinishedMessage, chunks: readonly UnitFileResult[] | undefined): void;
  scenarioFinished(plan: RunPlan, message: ScenarioFinishedMessage): void;
  runFinished(plan: RunPlan, finished: RunFinishedMessage): void;
}

export interface ExecuteRunDeps {
  backend: ContainerBackend;
  gate: CapacityGate;
  /** Bounds start-ups at once across all runs (see RunUnitDeps.startGate). */
  startGate?: CapacityGate;
  log: Logger;
  emit: (message: ServerMessage) => void;
  /** The suite's history: for the order, packs and splits, and to learn from this run; none: no splits. */
  history?: SchedulingHistory | RunHistory;
  observeStartLatency?: (seconds: number) => void;
  /** What removes a run's leftovers when it ends, and earlier runs' the engine could not remove then. */
  sweeper?: Pick<Sweeper, 'sweepRun' | 'retryUnswept'>;
  /** Each file's output as its container writes it (the dashboard's live tail). */
  onOutput?: RunUnitDeps['onOutput'];
}

/** A file's way through the run: its attempt, and the chunks of the attempt so far when it is split. */
interface FileState {
  attempt: number;
  startedAttempt: number;
  chunks: Map<number, UnitFileResult>;
  parts: number;
  done: boolean;
}

/**
 * Runs every file of a run in a rolling pool: at most `concurrency` containers of this run hold or wait for a
 * slot at once, and the capacity gate bounds all runs together. What each container runs — a file, a pack of
 * files, or a chunk of a long file — comes from planUnits and the suite's history. When a container ends, the
 * next starts at once; there are no batches. Resolves with the run's end, never rejects.
 */
export async function executeRun(
  plan: RunPlan,
  given: ExecuteRunDeps,
  signal: AbortSignal,
): Promise<RunFinishedMessage> {
  const recorder = given.history !== undefined && 'runStarted' in given.history ? given.history : undefined;
  if (recorder === undefined) return executeRunWith(plan, given, signal);
  // The run teaches the suite's history: every attempt (in onFileResult), scenario and the end.
  recorder.runStarted(plan);
  const deps: ExecuteRunDeps = {
    ...given,
    emit: (message) => {
      if (message.type === 'scenario-finished') recorder.scenarioFinished(plan, message);
      given.emit(message);
    },
  };
  const finished = await executeRunWith(plan, deps, signal);
  recorder.runFinished(plan, finished);
  return finished;
}

async function executeRunWith(plan: RunPlan, deps: ExecuteRunDeps, signal: AbortSignal): Promise<RunFinishedMessage> {
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
    // The engine answers: a chance to sweep what earlier runs could not.
    await deps.sweeper?.retryUnswept();
    await deps.backend.ensureImage(plan.image, plan.pull);
  } catch (error) {
    const failure = error instanceof BaleenError ? error : new BaleenError('INTERNAL', String(error), { cause: error });
    deps.log.warn({ code: failure.code }, failure.message);
    return finished('error', failure);
  }

  // --fail-fast stops the rest of the run through the same signal as a cancellation, with its own reason.
  const failFast = new AbortController();
  const runSignal = AbortSignal.any([signal, failFast.signal]);
  // One listener per container waiting for a slot is expected, not a leak: a run may have thousands of files.
  setMaxListeners(0, runSignal);
  const cancelReason = (): string =>
    failFast.signal.aborted && !signal.aborted ? (failFast.signal.reason as Error).message : 'the run was cancelled';
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
    const control: RunControl = { runSignal, failFast, cancelReason, mounts, totals };
    await runUnits(plan, deps, control);
    if (control.fatal !== undefined) return finished('error', control.fatal);
  } finally {
    await sweep(plan, deps);
  }

  if (signal.aborted) return finished('cancelled');
  return finished(totals.passed + totals.flaky === totals.files ? 'passed' : 'failed');
}

/**
 * Errors that every other file of the run would meet too (the image has no cucumber-js, or one too old, or no
 * node): the first ends the run with one clear error instead of the same error once per file.
 */
const RUN_FATAL_CODES: ReadonlySet<string> = new Set([
  'CUCUMBER_NOT_FOUND',
  'CUCUMBER_TOO_OLD',
  'CUCUMBER_UNSUPPORTED',
]);

interface RunControl {
  runSignal: AbortSignal;
  /** Set by the first run-fatal error. */
  fatal?: BaleenError;
  failFast: AbortController;
  cancelReason: () => string;
  mounts: VolumeMount[];
  totals: RunTotals;
}

/** Plans the run's containers, runs them through the pool, retries what failed, and reports every file once. */
async function runUnits(plan: RunPlan, deps: ExecuteRunDeps, control: RunControl): Promise<void> {
  const cucumber = plan.cucumber !== undefined;
  const history = deps.history;
  const estimates = history?.fileEstimates(plan.suite, plan.files) ?? new Map<string, FileEstimate>();
  const planned = planUnits({
    files: plan.files,
    order: plan.order,
    seed: plan.seed,
    estimates,
    lines: plan.scenarios.map((scenarios) => scenarios?.scenarios.map((scenario) => scenario.line)),
    scenarioEstimates: (file) => history?.scenarioEstimates(plan.suite, file) ?? new Map(),
    slots: plan.concurrency,
    // Packs and splits are cucumber's: another runner has no way to run part of a file or several in one go.
    packMs: cucumber ? plan.packMs : undefined,
    split: cucumber && plan.split === 'auto',
  });
  deps.emit({
    type: 'run-planned',
    runId: plan.runId,
    order: plan.order,
    ...(plan.order === 'random' ? { seed: plan.seed } : {}),
    history: {
      source: history === undefined || planned.known === 0 ? 'none' : history.source,
      known: planned.known,
      total: plan.files.length,
    },
    containers: planned.units.length,
    packs: planned.packs,
    packedFiles: planned.packedFiles,
    splits: planned.splits.map(({ index, parts }) => ({ fileIndex: index, file: plan.files[index] ?? '', parts })),
  } satisfies RunPlannedMessage);

  const states: FileState[] = plan.files.map(() => ({
    attempt: 1,
    startedAttempt: 0,
    chunks: new Map(),
    parts: 0,
    done: false,
  }));
  for (const unit of planned.units) if (unit.kind === 'chunk') (states[unit.index] as FileState).parts = unit.parts;

  const limit = pLimit(plan.concurrency);
  const running = new Set<Promise<void>>();
  const unitDeps: RunUnitDeps = {
    backend: deps.backend,
    gate: deps.gate,
    ...(deps.startGate === undefined ? {} : { startGate: deps.startGate }),
    emit: deps.emit,
    onFileStarted: (message: FileStartedMessage) => {
      // A split file has started when its first chunk has.
      const state = states[message.fileIndex];
      if (state === undefined || state.startedAttempt === message.attempt) return;
      state.startedAttempt = message.attempt;
      deps.emit(message);
    },
    cancelReason: control.cancelReason,
    mounts: control.mounts,
    ...(deps.observeStartLatency === undefined ? {} : { observeStartLatency: deps.observeStartLatency }),
    ...(deps.onOutput === undefined ? {} : { onOutput: deps.onOutput }),
  };

  const schedule = (unit: WorkUnit): void => {
    const task = limit(async () => {
      const outcome = await runUnit(
        { plan, unit, attemptOf: (index) => states[index]?.attempt ?? 1 },
        unitDeps,
        control.runSignal,
      );
      for (const index of outcome.notReached) schedule({ kind: 'file', index });
      for (const part of outcome.files) onFileResult(part);
    });
    running.add(task);
    void task.finally(() => running.delete(task));
  };

  /** A file's result (or one chunk's): once a file is whole, it is retried or reported. */
  const onFileResult = (part: UnitFileResult): void => {
    const index = part.result.fileIndex;
    const state = states[index];
    if (state === undefined || state.done) return;
    let result: FileFinishedMessage;
    if (part.chunk === undefined) result = part.result;
    else {
      state.chunks.set(part.chunk.part, part);
      if (state.chunks.size < part.chunk.parts) return;
      result = mergeChunks([...state.chunks.values()]);
    }
    const failed = result.status === 'failed' || result.status === 'timed-out' || result.status === 'oom';
    const retrying = failed && state.attempt <= plan.retries && !control.runSignal.aborted;
    if (history !== undefined && 'fileFinished' in history) {
      history.fileFinished(
        plan,
        retrying ? { ...result, willRetry: true } : result,
        part.chunk === undefined ? undefined : [...state.chunks.values()],
      );
    }
    if (retrying) {
      // A fresh container for the next attempt; this one is reported but not counted. A split file runs again
      // only the chunks that did not pass.
      deps.emit({ ...result, willRetry: true });
      state.attempt += 1;
      if (part.chunk === undefined) schedule({ kind: 'file', index });
      else {
        for (const [chunkPart, chunk] of state.chunks) {
          if (chunk.result.status === 'passed') continue;
          state.chunks.delete(chunkPart);
          const unit = planned.units.find(
            (candidate) => candidate.kind === 'chunk' && candidate.index === index && candidate.part === chunkPart,
          );
          if (unit !== undefined) schedule(unit);
        }
      }
      return;
    }
    state.done = true;
    countResult(control.totals, result);
    const code = result.error?.code;
    if (code !== undefined && RUN_FATAL_CODES.has(code) && control.fatal === undefined) {
      control.fatal = new BaleenError(code, result.error?.message ?? code);
      if (!control.failFast.signal.aborted) {
        control.failFast.abort(new Error(`the run stopped: ${result.error?.message ?? code}`));
      }
    }
    if (plan.failFast && (failed || result.status === 'error') && !control.failFast.signal.aborted) {
      control.failFast.abort(new Error(`--fail-fast stopped the run after ${result.file} ${result.status}`));
    }
    deps.emit(result);
  };

  for (const unit of planned.units) schedule(unit);
  while (running.size > 0) await Promise.all([...running]);
  // Every file is reported once, even one whose containers never came back with it (the guard of a promise).
  states.forEach((state, index) => {
    if (state.done) return;
    const result = withoutContainer(plan, index, state.attempt, 'error', {
      code: 'INTERNAL',
      message: 'no container of the run reported this file; this is a Baleen fault',
    });
    deps.log.error({ file: result.file }, result.error?.message);
    countResult(control.totals, result);
    deps.emit(result);
  });
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
    const result = withoutContainer(plan, fileIndex, 1, 'cancelled', { code: 'CANCELLED', message: `not run: ${why}` });
    countResult(totals, result);
    deps.emit(result);
  });
}

/** Each container removes itself; the sweep catches any whose removal failed, so nothing of the run is left. */
async function sweep(plan: RunPlan, deps: ExecuteRunDeps): Promise<void> {
  // Kept containers (and the /job volume they may use) are the point of --keep: the user removes them.
  if (plan.container.keep) return;
  await deps.sweeper?.sweepRun(plan.runId, deps.log);
}

/** A file's end that no container gave: nothing ran, so no exit code, output or time. */
function withoutContainer(
  plan: RunPlan,
  fileIndex: number,
  attempt: number,
  status: 'error' | 'cancelled',
  error: { code: ErrorCode; message: string },
): FileFinishedMessage {
  return {
    type: 'file-finished',
    runId: plan.runId,
    fileIndex,
    file: plan.files[fileIndex] ?? '',
    attempt,
    status,
    exitCode: null,
    durationMs: 0,
    containerId: null,
    stdout: '',
    stderr: '',
    stdoutTruncated: false,
    stderrTruncated: false,
    error,
  };
}
