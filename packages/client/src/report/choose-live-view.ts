import type { Colors } from './colors.js';
import { isDumbTerminal } from './colors.js';
import { plainLiveView, STILL_RUNNING_EVERY_MS, terminalLiveView, type LiveView } from './live-view.js';

/**
 * The view of a run as it goes: a redrawn region on a terminal, plain lines in a log or a pipe, and — without the
 * `list` reporter — only what the run says about itself.
 */
export function chooseLiveView(
  out: NodeJS.WriteStream,
  colors: Colors,
  options: { list: boolean; concurrency: number },
  env: NodeJS.ProcessEnv = process.env,
): LiveView {
  if (!options.list) return notesOnlyView(out);
  if (out.isTTY && !isDumbTerminal(env)) return terminalLiveView(out, colors, options.concurrency);
  return plainLiveView(out, colors, { stillRunningEveryMs: stillRunningEveryMs(env) });
}

/** Without the `list` reporter: no line per file, only what the run says about itself. */
function notesOnlyView(out: NodeJS.WriteStream): LiveView {
  return { onEvent: () => undefined, note: (line) => out.write(`${line}\n`), stop: () => undefined };
}

/** How often a log says what still runs: a minute, or BALEEN_STILL_RUNNING_SECONDS (a CI with other habits). */
function stillRunningEveryMs(env: NodeJS.ProcessEnv): number {
  const seconds = Number(env['BALEEN_STILL_RUNNING_SECONDS']);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : STILL_RUNNING_EVERY_MS;
}
