import type { RunEvent, RunResult } from './run-on-server.js';
import { runTests, type RunTestsOptions } from './run-tests.js';

/** A run in progress: its live events as an async iterable, its result, and a way to cancel it. */
export interface TestRun extends AsyncIterable<RunEvent> {
  /** Resolves with the run's result once the server has finished (and removed its containers). */
  readonly result: Promise<RunResult>;
  /** Asks the server to cancel the run; `result` still resolves, with the run marked cancelled. */
  cancel(): void;
}

/**
 * Starts a run and hands back its events as they happen, for `for await` in a script:
 *
 *   const run = startTests({ image, files, command, timeoutSeconds: 600, concurrency: 4, env: {} });
 *   for await (const event of run) if (event.type === 'file-finished') console.log(event.message.status);
 *   const result = await run.result;
 *
 * Events are buffered, so none is lost to a slow consumer; iteration ends after the last event, and throws what
 * the run threw (server unreachable, run refused). Each TestRun is iterated once.
 */
export function startTests(options: Omit<RunTestsOptions, 'onEvent' | 'signal'> & { signal?: AbortSignal }): TestRun {
  const queue: RunEvent[] = [];
  let wake: (() => void) | undefined;
  let ended = false;
  let failure: Error | undefined;
  const controller = new AbortController();
  const signal =
    options.signal === undefined ? controller.signal : AbortSignal.any([options.signal, controller.signal]);
  const result = runTests({
    ...options,
    signal,
    onEvent: (event) => {
      queue.push(event);
      wake?.();
    },
  });
  result.then(
    () => {
      ended = true;
      wake?.();
    },
    (error: unknown) => {
      ended = true;
      failure = error instanceof Error ? error : new Error(String(error));
      wake?.();
    },
  );
  // The iterator reports a failure; a caller who only awaits `result` sees it there. Neither goes unhandled.
  result.catch(() => undefined);

  return {
    result,
    cancel: () => controller.abort(),
    async *[Symbol.asyncIterator]() {
      for (;;) {
        const event = queue.shift();
        if (event !== undefined) {
          yield event;
          continue;
        }
        if (ended) {
          if (failure !== undefined) throw failure;
          return;
        }
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
      }
    },
  };
}
