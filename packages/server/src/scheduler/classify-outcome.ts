import type { ErrorCode, FileFinishedMessage } from '@baleen/protocol';
import type { ContainerBackend, ContainerOutcome } from '../backend/container-backend.js';

/** How a container's life ended, before anything about what ran in it (tests, cucumber) is known. */
export type ContainerEnding =
  /** It exited by itself: its exit code (and for cucumber, its channel) decides. */
  | { kind: 'exited'; exitCode: number | null }
  /** Killed by its memory limit. */
  | { kind: 'oom'; exitCode: number | null }
  /** Stopped from outside while the engine went away: the engine failed, not the test. */
  | { kind: 'engine-lost'; exitCode: number | null }
  /** Killed at its deadline. */
  | { kind: 'timed-out' }
  /** Stopped because the run was cancelled (Ctrl-C, a client gone, --fail-fast). */
  | { kind: 'cancelled' };

/** An exit by SIGKILL or SIGTERM the container did not ask for: the engine may be stopping. Worth a look. */
export function stoppedFromOutside(outcome: Pick<ContainerOutcome, 'end' | 'exitCode' | 'oomKilled'>): boolean {
  return outcome.end === 'exited' && !outcome.oomKilled && (outcome.exitCode === 137 || outcome.exitCode === 143);
}

/**
 * Every way a container can end, in one place for test files and the prepare stage alike. Pure: `engineLost` is
 * what the caller found when stoppedFromOutside said to look (the engine no longer answers).
 */
export function classifyOutcome(
  outcome: Pick<ContainerOutcome, 'end' | 'exitCode' | 'oomKilled'>,
  context: { deadlineAborted: boolean; runAborted: boolean; engineLost: boolean },
): ContainerEnding {
  if (outcome.end === 'exited') {
    if (outcome.oomKilled) return { kind: 'oom', exitCode: outcome.exitCode };
    if (context.engineLost && stoppedFromOutside(outcome)) return { kind: 'engine-lost', exitCode: outcome.exitCode };
    return { kind: 'exited', exitCode: outcome.exitCode };
  }
  // Interrupted by the signal: the deadline's unless the run itself was stopped meanwhile.
  if (context.deadlineAborted && !context.runAborted) return { kind: 'timed-out' };
  return { kind: 'cancelled' };
}

/** A status, and what a person reads about it. */
export interface Ending {
  status: FileFinishedMessage['status'];
  error?: { code: ErrorCode; message: string };
}

/** The status and the message a person reads for an ending that is not a plain exit. */
export function endingOf(
  ending: Exclude<ContainerEnding, { kind: 'exited' }>,
  context: { memoryBytes: number; timeoutMs: number; engine: string; cancelReason: string },
): Ending {
  switch (ending.kind) {
    case 'oom':
      return {
        status: 'oom',
        error: {
          code: 'OUT_OF_MEMORY',
          message: `killed by its memory limit of ${Math.floor(context.memoryBytes / 1024 / 1024)} MiB (raise --memory if it needs more)`,
        },
      };
    case 'engine-lost':
      return {
        status: 'error',
        error: {
          code: 'DOCKER_UNREACHABLE',
          message: `the Docker engine at ${context.engine} stopped while this ran (its container was stopped with exit ${String(ending.exitCode)})`,
        },
      };
    case 'timed-out':
      return {
        status: 'timed-out',
        error: {
          code: 'TIMED_OUT',
          message: `timed out after ${context.timeoutMs / 1000} s; the container was killed (raise --timeout if it needs longer)`,
        },
      };
    case 'cancelled':
      return {
        status: 'cancelled',
        error: { code: 'CANCELLED', message: `stopped while running: ${context.cancelReason}` },
      };
  }
}

/**
 * Whether the engine is still there after a container was stopped from outside. An engine shutting down stops
 * its containers first and may answer for a few seconds more while it stops the others, so it is watched for a
 * while: one failed ping in that time means it is going away.
 */
export async function engineAnswers(backend: ContainerBackend): Promise<boolean> {
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
