/** npm and npx can deliver one Ctrl-C twice in quick succession: a second within this is the same one. */
export const REPEAT_GUARD_MS = 1_000;

export interface InterruptHandlers {
  /** The first Ctrl-C (or a closed stdout): stop the run gracefully. */
  first(): void;
  /** A second Ctrl-C: leave at once. */
  second(): void;
}

/**
 * Two-stage Ctrl-C, as Playwright and cucumber-js do it: the first cancels the run and waits for its containers
 * to be removed, a second (at least a second later) exits at once.
 */
export function watchInterrupts(
  onInterrupt: (handler: () => void) => () => void,
  handlers: InterruptHandlers,
  now: () => number = Date.now,
): () => void {
  let firstAt: number | undefined;
  return onInterrupt(() => {
    if (firstAt === undefined) {
      firstAt = now();
      handlers.first();
      return;
    }
    if (now() - firstAt < REPEAT_GUARD_MS) return;
    handlers.second();
  });
}
