import { EXIT } from '../exit-codes.js';
import type { Colors } from '../report/colors.js';
import type { LiveView } from '../report/live-view.js';
import type { RunEvent } from '../run/run-on-server.js';
import { watchInterrupts } from './interrupt-watcher.js';
import type { CommandIo } from './test-options.js';

export interface RunCancellation {
  /** Aborted by the first Ctrl-C: the server stops and removes the run's containers. */
  signal: AbortSignal;
  /** Whether a Ctrl-C came: the run's end is then "interrupted" (130), not a failure. */
  interrupted(): boolean;
  /** Follows the run, to say at a second Ctrl-C which containers may be left and which run they belong to. */
  onEvent(event: RunEvent): void;
  /** Removes the Ctrl-C handler. */
  stop(): void;
}

/**
 * Ctrl-C during a run: the first cancels it and waits while its containers are removed; a second exits at once,
 * saying how many containers may be left and who removes them (the next local run, or the shared server).
 */
export function cancelOnInterrupt(
  io: CommandIo,
  view: LiveView,
  colors: Colors,
  server: string | undefined,
  exit: (code: number) => never = (code) => process.exit(code),
): RunCancellation {
  const cancel = new AbortController();
  // Changed by a signal handler between awaits.
  const state = { interrupted: false, runId: undefined as string | undefined };
  // Containers running now, by file index: what a second Ctrl-C leaves behind.
  const running = new Map<number, string>();
  const remove = watchInterrupts(io.onInterrupt, {
    first: () => {
      state.interrupted = true;
      view.note(
        colors.yellow('cancelling: stopping and removing this run’s containers (Ctrl-C again to quit at once)'),
      );
      cancel.abort();
    },
    second: () => {
      const left = new Set(running.values()).size;
      const leftText =
        left === 0
          ? ''
          : ` — ${left} container${left === 1 ? '' : 's'} may be left: ` +
            (server === undefined
              ? 'the next baleen run on this machine removes them'
              : `the server removes them${state.runId === undefined ? '' : ` (run ${state.runId})`}`);
      io.stderr.write(`baleen: interrupted again, exiting without waiting for containers to be removed${leftText}\n`);
      exit(EXIT.interrupted);
    },
  });
  return {
    signal: cancel.signal,
    interrupted: () => state.interrupted,
    onEvent: (event) => {
      if (event.type === 'run-accepted') state.runId = event.message.runId;
      if (event.type === 'file-started') running.set(event.message.fileIndex, event.message.containerId);
      if (event.type === 'file-finished') running.delete(event.message.fileIndex);
    },
    stop: remove,
  };
}
