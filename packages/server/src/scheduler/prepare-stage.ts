import { BaleenError, type ServerMessage, type StageFinishedMessage } from '@baleen/protocol';
import type { ContainerBackend, VolumeMount } from '../backend/container-backend.js';
import { LABELS, runLabels } from '../backend/container-labels.js';
import type { CapacityGate } from './capacity-gate.js';
import type { RunPlan } from './run-plan.js';
import {
  classifyOutcome,
  endingOf,
  engineAnswers,
  stoppedFromOutside,
  type ContainerEnding,
} from './classify-outcome.js';

/** Where the prepare stage's work is shared with every test container. */
export const JOB_DIR = '/job';

export interface PrepareDeps {
  backend: ContainerBackend;
  gate: CapacityGate;
  emit: (message: ServerMessage) => void;
}

export type PrepareResult = { ok: true; mounts: VolumeMount[] } | { ok: false; finished: StageFinishedMessage };

/**
 * Compile once, test many: the prepare script runs once, in its own container (the run's image, env and
 * settings) with a fresh volume at /job; every test container then gets that volume read-only. The volume
 * carries the run's labels, so the run's sweep (or a restarted server's) removes it.
 */
export async function runPrepareStage(
  plan: RunPlan & { prepare: string },
  deps: PrepareDeps,
  signal: AbortSignal,
): Promise<PrepareResult> {
  const began = performance.now();
  const labels = { ...runLabels(plan.serverId, plan.runId, plan.container.keep), [LABELS.stage]: 'prepare' };
  const base = { type: 'stage-finished', runId: plan.runId, stage: 'prepare' } as const;
  const volume = await deps.backend.createVolume(labels);
  const release = await deps.gate.acquire(plan.owner, signal);
  try {
    const deadline = AbortSignal.timeout(plan.timeoutMs);
    const outcome = await deps.backend.run(
      {
        image: plan.image,
        // The user's own script, as one argv element: nothing from file names or elsewhere is pasted into it.
        argv: ['sh', '-ec', plan.prepare],
        workDir: plan.workDir,
        env: {
          ...plan.env,
          BALEEN_RUN_ID: plan.runId,
          ...(plan.traceparent === undefined ? {} : { TRACEPARENT: plan.traceparent }),
          BALEEN_STAGE: 'prepare',
        },
        labels,
        maxOutputBytes: plan.maxOutputBytes,
        deadlineMs: plan.timeoutMs,
        settings: plan.container,
        mounts: [{ volume, target: JOB_DIR, readOnly: false }],
        // The prepare stage compiles what the tests will run: it works on the synced tree too.
        ...(plan.workspace === undefined ? {} : { workspace: plan.workspace }),
      },
      {
        signal: AbortSignal.any([signal, deadline]),
        onStarted: ({ containerId }) => {
          deps.emit({ type: 'stage-started', runId: plan.runId, stage: 'prepare', containerId });
        },
      },
    );
    const finished: StageFinishedMessage = {
      ...base,
      status: 'passed',
      exitCode: outcome.exitCode,
      durationMs: Math.round(performance.now() - began),
      containerId: outcome.containerId,
      stdout: outcome.stdout.text,
      stderr: outcome.stderr.text,
      ...(outcome.kept ? { kept: true } : {}),
    };
    if (outcome.end === 'exited' && outcome.exitCode === 0) {
      deps.emit(finished);
      return { ok: true, mounts: [{ volume, target: JOB_DIR, readOnly: true }] };
    }
    const engineLost = stoppedFromOutside(outcome) && !(await engineAnswers(deps.backend));
    const ending = classifyOutcome(outcome, {
      deadlineAborted: deadline.aborted,
      runAborted: signal.aborted,
      engineLost,
    });
    const failure: StageFinishedMessage = { ...finished, ...prepareFailure(ending, plan, deps.backend.engine) };
    deps.emit(failure);
    return { ok: false, finished: failure };
  } catch (error) {
    const cause = error instanceof BaleenError ? error : new BaleenError('INTERNAL', String(error), { cause: error });
    const failure: StageFinishedMessage = {
      ...base,
      status: 'error',
      exitCode: null,
      durationMs: Math.round(performance.now() - began),
      containerId: null,
      stdout: '',
      stderr: '',
      error: { code: cause.code, message: `the prepare stage could not run: ${cause.message}` },
    };
    deps.emit(failure);
    return { ok: false, finished: failure };
  } finally {
    release();
  }
}

/** How a prepare stage that did not pass ended, in the same terms as a test file's container (classifyOutcome). */
function prepareFailure(
  ending: ContainerEnding,
  plan: RunPlan,
  engine: string,
): Pick<StageFinishedMessage, 'status' | 'error'> {
  if (ending.kind === 'exited') {
    return {
      status: 'failed',
      error: {
        code: 'PREPARE_FAILED',
        message: `the prepare stage failed with exit code ${String(ending.exitCode)}; no test file was run`,
      },
    };
  }
  const { status, error } = endingOf(ending, {
    memoryBytes: plan.container.memoryBytes,
    timeoutMs: plan.timeoutMs,
    engine,
    cancelReason: 'the run was cancelled',
  });
  // A lost engine is the engine's failure (the run ends in error); anything else is the stage's own.
  const code = ending.kind === 'engine-lost' ? 'DOCKER_UNREACHABLE' : 'PREPARE_FAILED';
  return { status, error: { code, message: `the prepare stage: ${error?.message ?? status}; no test file was run` } };
}
