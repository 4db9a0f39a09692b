import type { FileStatus, StatusCounts } from '@baleen/protocol';
import type { Colors } from './colors.js';

/** 0.4s, 12.3s, 2m 05s */
export function formatDuration(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return `${minutes}m ${String(seconds).padStart(2, '0')}s`;
}

/** A file as shown to a person: its last attempt's status, `flaky` when it passed only after retries. */
export type ShownStatus = FileStatus | 'flaky' | 'not run';

const SYMBOLS: Record<ShownStatus, string> = {
  passed: '✔',
  flaky: '≈',
  failed: '✖',
  'timed-out': '⏱',
  oom: '▲',
  cancelled: '⊘',
  error: '!',
  'not run': '·',
};

export function paintStatus(status: ShownStatus | keyof StatusCounts, colors: Colors, text: string = status): string {
  switch (status) {
    case 'passed':
      return colors.green(text);
    case 'failed':
    case 'oom':
    case 'ambiguous':
      return colors.red(text);
    case 'timed-out':
    case 'flaky':
    case 'pending':
    case 'undefined':
      return colors.yellow(text);
    case 'error':
    case 'unfinished':
      return colors.magenta(text);
    case 'cancelled':
    case 'not run':
    case 'skipped':
    case 'unknown':
      return colors.gray(text);
  }
}

export function statusBadge(status: ShownStatus, colors: Colors): string {
  return paintStatus(status, colors, `${SYMBOLS[status]} ${status}`);
}

/** cucumber's own order for its summary lines, with Baleen's `unfinished` last. */
const COUNT_ORDER: (keyof StatusCounts)[] = [
  'failed',
  'ambiguous',
  'undefined',
  'pending',
  'skipped',
  'passed',
  'unknown',
  'unfinished',
];

/** Reads like cucumber's summary: `47 scenarios (1 failed, 46 passed)`; `0 steps` when there are none. */
export function formatCounts(counts: StatusCounts, noun: string, colors: Colors): string {
  const total = COUNT_ORDER.reduce((sum, status) => sum + counts[status], 0);
  const head = `${total} ${noun}${total === 1 ? '' : 's'}`;
  if (total === 0) return head;
  const parts = COUNT_ORDER.filter((status) => counts[status] > 0).map((status) =>
    paintStatus(status, colors, `${counts[status]} ${status}`),
  );
  return `${head} (${parts.join(', ')})`;
}

/** Only the parts: `1 failed, 2 passed`, for a table cell. */
export function formatCountsShort(counts: StatusCounts, colors: Colors): string {
  return COUNT_ORDER.filter((status) => counts[status] > 0)
    .map((status) => paintStatus(status, colors, `${counts[status]} ${status}`))
    .join(', ');
}

export function addCounts(into: StatusCounts, counts: StatusCounts | undefined): void {
  if (counts === undefined) return;
  for (const status of COUNT_ORDER) into[status] += counts[status];
}

export function emptyCounts(): StatusCounts {
  return { passed: 0, failed: 0, pending: 0, undefined: 0, ambiguous: 0, skipped: 0, unknown: 0, unfinished: 0 };
}

export function shownStatus(result: { status: FileStatus; attempt: number } | undefined): ShownStatus {
  if (result === undefined) return 'not run';
  return result.status === 'passed' && result.attempt > 1 ? 'flaky' : result.status;
}

/**
 * Text broken at spaces into lines no wider than `width` (a word longer than that stands alone), later lines
 * indented; unchanged when no width is known.
 */
export function wrapText(text: string, width: number | undefined, indent = '  '): string {
  if (width === undefined || text.length <= width) return text;
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    const prefix = lines.length === 0 ? '' : indent;
    const candidate = line === '' ? `${prefix}${word}` : `${line} ${word}`;
    if (candidate.length > width && line !== '') {
      lines.push(line);
      line = `${indent}${word}`;
    } else line = candidate;
  }
  if (line !== '') lines.push(line);
  return lines.join('\n');
}

/**
 * A file's exit code as shown: its container's. A file that shared its container (a pack) has the pack's exit
 * code, which says nothing of a file that passed — so it is shown only when the file did not pass, marked as the
 * pack's.
 */
export function shownExitCode(result: {
  exitCode: number | null;
  status: FileStatus;
  pack?: { files: number } | undefined;
}): string | undefined {
  if (result.exitCode === null) return undefined;
  if (result.pack === undefined) return String(result.exitCode);
  return result.status === 'passed' ? undefined : `${result.exitCode} (pack)`;
}
