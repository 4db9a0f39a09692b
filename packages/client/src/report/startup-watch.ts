import type { RunEvent } from '../run/run-on-server.js';
import { formatDuration } from './format.js';
import { isTimed, median, startupFigures, type TimedFile } from './startup-advice.js';

/** Start-up this large a share of the files' time, this early, is worth saying while there is time to act. */
const DOMINANT_SHARE = 0.7;
/** ...of a start-up long enough to be worth acting on (a plain JavaScript suite starts in about a second)... */
const COSTLY_STARTUP_MS = 5_000;
/** ...and only when enough of the run is left for it to matter: this many files per slot. */
const FILES_LEFT_PER_SLOT = 2;

/**
 * A run whose files are mostly start-up (a ts-node suite: 45 s of each 46 s file) says so once its first files are
 * in, with how long the rest will take at this rate — not only in the summary, when the time is spent. Says nothing
 * for a packed run, or one that is nearly done.
 */
export class StartupWatch {
  readonly #timed: TimedFile[] = [];
  #finished = 0;
  #said = false;

  constructor(
    private readonly files: number,
    private readonly slots: number,
    private readonly packed: boolean,
  ) {}

  /** The line to show, once, when this event makes the case; else undefined. */
  onEvent(event: RunEvent): string | undefined {
    if (this.#said || this.packed || event.type !== 'file-finished' || event.message.willRetry === true) return;
    this.#finished += 1;
    if (isTimed(event.message)) this.#timed.push(event.message);
    const slots = Math.max(1, this.slots);
    if (this.#timed.length < Math.max(2, slots)) return;
    const left = this.files - this.#finished;
    if (left < FILES_LEFT_PER_SLOT * slots) return;
    const { startup, each, share } = startupFigures(this.#timed);
    if (each <= 0 || startup < COSTLY_STARTUP_MS || share < DOMINANT_SHARE) return;
    this.#said = true;
    return (
      `start-up is ${Math.round(share * 100)}% of each file's time so far (${formatDuration(startup)} of ${formatDuration(each)}); ` +
      `${left} files left, about ${formatDuration((left * median(this.#timed.map((file) => file.durationMs))) / slots)} ` +
      'at this rate — --pack auto pays start-up ' +
      'about once per slot (Ctrl-C, then run again with --pack auto)'
    );
  }
}
