import type { FileFinishedMessage } from '@baleen/protocol';
import { formatDuration } from './format.js';

/** Start-up this large a share of a file's time is worth a line in the summary. */
const DOMINANT_SHARE = 0.5;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

/**
 * Where the files' time went, when start-up (container start to cucumber's first scenario: loading and compiling
 * support code) is most of it — and what packing would give, estimated from this run's own figures: the files'
 * scenario time and one start-up per container instead of one per file, shared by the slots.
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
  // Packs of about twice the slots' share of the scenario time: start-up paid once a pack, and room to balance.
  const work = timed.reduce((sum, result) => sum + result.runMs, 0);
  const slots = Math.max(1, options.slots);
  const packSeconds = Math.max(5, Math.ceil((work / (2 * slots) + startup) / 1000 / 5) * 5);
  const containers = Math.max(slots, Math.ceil(work / Math.max(1, packSeconds * 1000 - startup)));
  const estimate = (work + containers * startup) / slots;
  if (estimate >= options.wallTimeMs) return lines;
  lines.push(
    `--pack ${packSeconds} would run these ${timed.length} files in about ${containers} containers: ` +
      `an estimated ${formatDuration(estimate)} instead of ${formatDuration(options.wallTimeMs)} ` +
      `(files of a pack share one cucumber process; see the README)`,
  );
  return lines;
}
