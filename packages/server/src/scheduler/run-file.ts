import { BaleenError, type FileFinishedMessage, type FileStartedMessage } from '@baleen/protocol';
import type { ContainerBackend, ContainerOutcome } from '../backend/container-backend.js';
import { commandForFile, withBeforeCommand } from '../backend/container-command.js';
import { fileContainerLabels } from '../backend/container-labels.js';
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
  emitStarted: (message: FileStartedMessage) => void;
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
  const began = performance.now();
  const finish = (
    status: FileFinishedMessage['status'],
    outcome: Partial<ContainerOutcome>,
    error?: FileFinishedMessage['error'],
  ): FileFinishedMessage => {
    const stdout = outcome.stdout ?? NO_OUTPUT;
    const stderr = outcome.stderr ?? NO_OUTPUT;
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
    };
  };
  const cancelled = (): FileFinishedMessage =>
    finish('cancelled', {}, { code: 'CANCELLED', message: 'the run was cancelled before this file started' });

  if (runSignal.aborted) return cancelled();
  let release: (() => void) | undefined;
  try {
    release = await deps.gate.acquire(plan.owner, runSignal);
  } catch {
    return cancelled();
  }
  try {
    const deadline = AbortSignal.timeout(plan.timeoutMs);
    const command = withBeforeCommand(commandForFile(plan.command, file), plan.beforeCommand);
    const outcome = await deps.backend.run(
      {
        image: plan.image,
        argv: command.argv,
        workDir: plan.workDir,
        env: { ...plan.env, ...baleenEnv(target, file), ...command.env },
        labels: fileContainerLabels({ serverId: plan.serverId, runId: plan.runId, file, index, attempt }),
        maxOutputBytes: plan.maxOutputBytes,
      },
      {
        signal: AbortSignal.any([runSignal, deadline]),
        onStarted: (containerId) =>
          deps.emitStarted({ type: 'file-started', runId: plan.runId, fileIndex: index, file, attempt, containerId }),
      },
    );
    if (outcome.end === 'exited') return finish(outcome.exitCode === 0 ? 'passed' : 'failed', outcome);
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
      message: 'the run was cancelled while this file ran; the container was killed',
    });
  } catch (error) {
    const failure =
      error instanceof BaleenError
        ? error
        : new BaleenError('INTERNAL', `unexpected failure: ${String(error)}`, { cause: error });
    return finish('error', {}, { code: failure.code, message: failure.message });
  } finally {
    release();
  }
}
