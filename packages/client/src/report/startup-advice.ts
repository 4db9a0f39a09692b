import type { FileFinishedMessage } from '@baleen/protocol';
import { formatDuration } from './format.js';

/** Start-up this large a share of a file's time is worth a line in the summary. */
const DOMINANT_SHARE = 0.5;

/** The middle value (the upper of the two middle ones), 0 for none. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

/** A file that ran alone and says how long its start-up and its scenarios took. */
export type TimedFile = FileFinishedMessage & { startupMs: number; runMs: number };

export function isTimed(result: FileFinishedMessage | undefined): result is TimedFile {
  return result?.startupMs !== undefined && result.runMs !== undefined && result.pack === undefined;
}

/** The median start-up and the median file (start-up and scenarios), and start-up's share of it (0 for none). */
export function startupFigures(timed: readonly TimedFile[]): { startup: number; each: number; share: number } {
  const startup = median(timed.map((result) => result.startupMs));
  const each = median(timed.map((result) => result.startupMs + result.runMs));
  return { startup, each, share: each <= 0 ? 0 : startup / each };
}

/**
 * Where the files' time went, when start-up (container start to cucumber's first scenario: loading and compiling
 * support code) is most of it — and what `--pack auto` would give, estimated from this run's own figures: the
 * files' scenario time shared by the slots, and one start-up per slot instead of one per file.
 */
export function startupAdvice(
  results: readonly (FileFinishedMessage | undefined)[],
  options: { slots: number; wallTimeMs: number; packed: boolean },
): string[] {
  const timed = results.filter(isTimed);
  if (timed.length < 2) return [];
  const { startup, each, share } = startupFigures(timed);
  if (each <= 0 || share < DOMINANT_SHARE) return [];
  const lines = [
    `start-up is ${Math.round(share * 100)}% of each file's time (${formatDuration(startup)} of ${formatDuration(each)}): loading cucumber and the support code`,
  ];
  if (options.packed) return lines;
  // --pack auto: about one pack per slot, so start-up is paid about once per slot, and the scenario time shared.
  const work = timed.reduce((sum, result) => sum + result.runMs, 0);
  const slots = Math.max(1, Math.min(options.slots, timed.length));
  const estimate = work / slots + startup;
  if (estimate >= options.wallTimeMs) return lines;
  lines.push(
    `--pack auto would run these ${timed.length} files in about ${slots} container${slots === 1 ? '' : 's'}: ` +
      `an estimated ${formatDuration(estimate)} instead of ${formatDuration(options.wallTimeMs)} ` +
      `(files of a pack share one cucumber process; see the README)`,
  );
  return lines;
}
