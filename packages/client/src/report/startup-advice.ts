import type { FileFinishedMessage } from '@baleen/protocol';
import { formatDuration } from './format.js';

/** Start-up this large a share of a file's time is worth a line in the summary. */
const DOMINANT_SHARE = 0.5;

/** The middle value (the upper of the two middle ones), 0 for none. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
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
  const timed = results.filter(
    (result): result is FileFinishedMessage & { startupMs: number; runMs: number } =>
      result?.startupMs !== undefined && result.runMs !== undefined && result.pack === undefined,
  );
  if (timed.length < 2) return [];
  const startup = median(timed.map((result) => result.startupMs));
  const each = median(timed.map((result) => result.startupMs + result.runMs));
  if (each <= 0 || startup / each < DOMINANT_SHARE) return [];
  const share = Math.round((startup / each) * 100);
  const lines = [
    `start-up is ${share}% of each file's time (${formatDuration(startup)} of ${formatDuration(each)}): loading cucumber and the support code`,
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
