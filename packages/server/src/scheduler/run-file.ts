import { BaleenError, type FileFinishedMessage, type ServerMessage } from '@baleen/protocol';
import type { ContainerBackend, ContainerOutcome, VolumeMount } from '../backend/container-backend.js';
import { commandForFile, withBeforeCommand } from '../backend/container-command.js';
import { fileContainerLabels } from '../backend/container-labels.js';
import { cucumberRunnerCall } from '../cucumber/runner-command.js';
import { CucumberAttempt } from '../results/cucumber-attempt.js';
import type { CapacityGate } from './capacity-gate.js';
import type { RunPlan } from './run-plan.js';

export interface FileAttempt {
  plan: RunPlan;
  index: number;
  attempt: number;
}

export interface RunFileDeps {
  backend: ContainerBackend;
  gate: CapacityGate;
  /**
   * Bounds the files starting up at once (container created and started, and for cucumber until its run has
   * begun). Without it, a burst of start-ups shares the CPU and every file, the longest first, starts late.
   */
  startGate?: CapacityGate;
  /** file-started, scenario-finished and file-messages, as they happen. */
  emit: (message: ServerMessage) => void;
  /** Why a file was stopped or never started when the run's signal aborted. */
  cancelReason: () => string;
  /** Seconds from getting a slot to the container running. */
  observeStartLatency?: (seconds: number) => void;
  /** Volumes of the run every test container gets (the prepare stage's `/job`). */
  mounts?: VolumeMount[];
}

const NO_OUTPUT = { text: '', truncated: false, totalBytes: 0 };

/** The environment every test container gets, so a test knows where it stands in the run. */
function baleenEnv({ plan, index, attempt }: FileAttempt, file: string): Record<string, string> {
  return {
    BALEEN_RUN_ID: plan.runId,
    BALEEN_FILE: file,
    BALEEN_INDEX: String(index),
    BALEEN_TOTAL: String(plan.files.length),
    BALEEN_ATTEMPT: String(attempt),
  };
}

/** Longest a file holds its start-up slot once its container runs, for a runner that never says it began. */
export const MAX_START_HOLD_MS = 5_000;

/** The test command of one attempt: any runner's argv, or cucumber-js behind Baleen's runner with its channel. */
function testCommand(
  target: FileAttempt,
  file: string,
  emit: RunFileDeps['emit'],
  onRunStarted: () => void,
): { argv: string[]; cucumber?: CucumberAttempt } {
  const { plan, index, attempt } = target;
  if (plan.cucumber === undefined) return { argv: commandForFile(plan.command ?? [], file) };
  const planned = plan.scenarios[index];
  const lines = planned?.byLine === true ? planned.scenarios.map((scenario) => scenario.line) : [];
  const call = cucumberRunnerCall({
    bin: plan.cucumber.bin,
    args: plan.cucumber.args,
    targets: [lines.length === 0 ? file : `${file}:${lines.join(':')}`],
    suitePaths: plan.cucumber.suitePaths,
  });
  const cucumber = new CucumberAttempt({
    file,
    marker: call.marker,
    expected: planned?.scenarios,
    onScenario: (scenario) =>
      emit({ type: 'scenario-finished', runId: plan.runId, fileIndex: index, file, attempt, ...scenario }),
    onRunStarted,
  });
  return { argv: call.argv, cucumber };
}

/**
 * Whether the engine is still there after a container was stopped from outside. An engine shutting down stops
 * its containers first and may answer for a few seconds more while it stops the others, so it is watched for a
 * while: one failed ping in that time means it is going away.
 */
async function engineAnswers(backend: ContainerBackend): Promise<boolean> {
  for (let waited = 0; waited < ENGINE_WATCH_MS; waited += ENGINE_WATCH_STEP_MS) {
    await new Promise((resolve) => setTimeout(resolve, ENGINE_WATCH_STEP_MS));
    const answered = await backend.ping().then(
      () => true,
      () => false,
    );
    if (!answered) return false;
  }
  return true;
}

const ENGINE_WATCH_MS = 5_000;
const ENGINE_WATCH_STEP_MS = 250;

/**
 * Runs one attempt at one file: waits for a slot of the server's capacity, runs the container under the run's
 * signal and the file's own deadline (counted from when the slot was granted), and turns the outcome into a
 * result. Never throws: every way a file can end is a status.
 */
export async function runFile(
  target: FileAttempt,
  deps: RunFileDeps,
  runSignal: AbortSignal,
): Promise<FileFinishedMessage> {
  const { plan, index, attempt } = target;
  const file = plan.files[index] ?? '';
  const base = { type: 'file-finished', runId: plan.runId, fileIndex: index, file, attempt } as const;
  let releaseStart: (() => void) | undefined;
  const startedUp = (): void => releaseStart?.();
  const test = testCommand(target, file, deps.emit, startedUp);
  const results = test.cucumber;
  const began = performance.now();
  const finish = (
    status: FileFinishedMessage['status'],
    outcome: Partial<ContainerOutcome>,
    error?: FileFinishedMessage['error'],
  ): FileFinishedMessage => {
    const stdout = outcome.stdout ?? NO_OUTPUT;
    const stderr = outcome.stderr ?? NO_OUTPUT;
    const messages = results?.messages();
    if (messages !== undefined) {
      deps.emit({ type: 'file-messages', runId: plan.runId, fileIndex: index, attempt, ...messages });
    }
    const fields = results?.resultFields();
    return {
      ...base,
      status,
      exitCode: outcome.exitCode ?? null,
      durationMs: Math.round(performance.now() - began),
      containerId: outcome.containerId ?? null,
      stdout: stdout.text,
      stderr: stderr.text,
      stdoutTruncated: stdout.truncated,
      stderrTruncated: stderr.truncated,
      ...(error === undefined ? {} : { error }),
      ...fields,
      ...(outcome.kept === true ? { kept: true } : {}),
      ...(outcome.node === undefined ? {} : { node: outcome.node }),
    };
  };
  const cancelled = (): FileFinishedMessage =>
    finish('cancelled', {}, { code: 'CANCELLED', message: `not run: ${deps.cancelReason()}` });

  if (runSignal.aborted) return cancelled();
  let release: (() => void) | undefined;
  try {
    release = await deps.gate.acquire(plan.owner, runSignal);
  } catch {
    return cancelled();
  }
  let holdTimer: NodeJS.Timeout | undefined;
  try {
    if (deps.startGate !== undefined) releaseStart = await deps.startGate.acquire(plan.owner, runSignal);
    const granted = performance.now();
    const deadline = AbortSignal.timeout(plan.timeoutMs);
    const command = withBeforeCommand(test.argv, plan.beforeCommand);
    const outcome = await deps.backend.run(
      {
        image: plan.image,
        argv: command.argv,
        workDir: plan.workDir,
        env: { ...plan.env, ...baleenEnv(target, file), ...command.env },
        labels: fileContainerLabels({
          serverId: plan.serverId,
          runId: plan.runId,
          file,
          index,
          attempt,
          keep: plan.container.keep,
        }),
        maxOutputBytes: plan.maxOutputBytes,
        settings: plan.container,
        mounts: deps.mounts ?? [],
        ...(plan.workspace === undefined ? {} : { workspace: plan.workspace }),
      },
      {
        signal: AbortSignal.any([runSignal, deadline]),
        onStarted: ({ containerId, ports, node }) => {
          // Only cucumber says when its start-up ends; any other runner is started once its container runs.
          if (results === undefined) startedUp();
          else holdTimer = setTimeout(startedUp, MAX_START_HOLD_MS);
          deps.observeStartLatency?.((performance.now() - granted) / 1000);
          deps.emit({
            type: 'file-started',
            runId: plan.runId,
            fileIndex: index,
            file,
            attempt,
            containerId,
            ...(ports.length === 0 ? {} : { ports }),
            ...(node === undefined ? {} : { node }),
          });
        },
        ...(results === undefined ? {} : { stderrFilter: results.stderrFilter }),
      },
    );
    if (outcome.end === 'exited') {
      if (outcome.oomKilled) {
        const mib = Math.floor(plan.container.memoryBytes / 1024 / 1024);
        return finish('oom', outcome, {
          code: 'OUT_OF_MEMORY',
          message: `killed by its memory limit of ${mib} MiB (raise --memory if the file needs more)`,
        });
      }
      // A container stopped from outside (128 + SIGTERM or SIGKILL) while the engine went away: the test did
      // not fail, the engine did.
      if ((outcome.exitCode === 137 || outcome.exitCode === 143) && !(await engineAnswers(deps.backend))) {
        return finish('error', outcome, {
          code: 'DOCKER_UNREACHABLE',
          message: `the Docker engine at ${deps.backend.engine} stopped while this file ran (its container was stopped with exit ${outcome.exitCode})`,
        });
      }
      if (results !== undefined && outcome.exitCode !== null) {
        const verdict = results.verdict(outcome.exitCode, plan.beforeCommand !== undefined);
        return finish(verdict.status, outcome, verdict.error);
      }
      return finish(outcome.exitCode === 0 ? 'passed' : 'failed', outcome);
    }
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- it can change during the await
    if (deadline.aborted && !runSignal.aborted) {
      const seconds = plan.timeoutMs / 1000;
      return finish('timed-out', outcome, {
        code: 'TIMED_OUT',
        message: `timed out after ${seconds} s; the container was killed (raise --timeout if the file needs longer)`,
      });
    }
    return finish('cancelled', outcome, {
      code: 'CANCELLED',
      message: `stopped while running: ${deps.cancelReason()}`,
    });
  } catch (error) {
    // Aborted while waiting for a start-up slot: nothing ran.
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- it can change during the awaits
    if (runSignal.aborted && releaseStart === undefined && deps.startGate !== undefined) return cancelled();
    const failure =
      error instanceof BaleenError
        ? error
        : new BaleenError('INTERNAL', `unexpected failure: ${String(error)}`, { cause: error });
    return finish('error', {}, { code: failure.code, message: failure.message });
  } finally {
    clearTimeout(holdTimer);
    releaseStart?.();
    release();
  }
}
