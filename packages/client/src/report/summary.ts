import type { FileFinishedMessage, RunTotals, StatusCounts } from '@baleen/protocol';
import Table from 'cli-table3';
import type { Colors } from './colors.js';
import { startupAdvice } from './startup-advice.js';
import {
  addCounts,
  emptyCounts,
  formatCounts,
  formatCountsShort,
  formatDuration,
  paintStatus,
  wrapText,
  shownExitCode,
  shownStatus,
  statusBadge,
  type ShownStatus,
} from './format.js';

export interface SummaryRow {
  file: string;
  /** The last attempt; undefined when the file never ran. */
  result: FileFinishedMessage | undefined;
  attempts: readonly FileFinishedMessage[];
}

export interface SummaryInput {
  rows: readonly SummaryRow[];
  totals: RunTotals;
  wallTimeMs: number;
  /** Print the output of passed files too. */
  showAllOutput: boolean;
  /** Feature files that had no scenario matching the filters (no container ran them). */
  noMatch?: readonly string[];
  /** Containers at once, for the start-up advice. */
  slots?: number;
  /** The output's width (a terminal's columns): narrower than the table, the summary takes one line a file. */
  width?: number;
  /** The run used --pack. */
  packed?: boolean;
  /** Wraps each file's output block (GitHub Actions folds it in a group). */
  wrapOutput?: (result: FileFinishedMessage, block: string) => string;
}

function indent(text: string): string {
  return text
    .replace(/\n$/, '')
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n');
}

function outputBlock(result: FileFinishedMessage, colors: Colors): string {
  const code = shownExitCode(result);
  const exit = code === undefined ? '' : `, exit ${code}`;
  const attempt = result.attempt > 1 ? `, attempt ${result.attempt}` : '';
  const status = paintStatus(shownStatus(result), colors);
  const parts = [
    colors.bold(`── ${result.file} (${status}${exit}${attempt}, ${formatDuration(result.durationMs)}) ──`),
  ];
  if (result.error !== undefined) parts.push(`  ${paintStatus(result.status, colors, result.error.message)}`);
  const streams: [string, string, boolean][] = [
    ['stdout', result.stdout, result.stdoutTruncated],
    ['stderr', result.stderr, result.stderrTruncated],
  ];
  for (const [name, text, truncated] of streams) {
    if (text.length === 0) continue;
    parts.push(colors.dim(`  ${name}${truncated ? ' (truncated)' : ''}:`), indent(text));
  }
  if (result.stdout.length === 0 && result.stderr.length === 0 && result.error === undefined) {
    parts.push(colors.dim('  (no output)'));
  }
  return parts.join('\n');
}

export function totalsLine(totals: RunTotals, wallTimeMs: number, colors: Colors): string {
  const counts: [number, ShownStatus, string][] = [
    [totals.passed, 'passed', 'passed'],
    [totals.flaky, 'flaky', 'flaky'],
    [totals.failed, 'failed', 'failed'],
    [totals.timedOut, 'timed-out', 'timed out'],
    [totals.oom, 'oom', 'out of memory'],
    [totals.error, 'error', 'error'],
    [totals.cancelled, 'cancelled', 'cancelled'],
    [totals.notRun, 'not run', 'not run'],
  ];
  const parts = counts
    .filter(([count]) => count > 0)
    .map(([count, status, label]) => paintStatus(status, colors, `${count} ${label}`));
  const files = `${totals.files} file${totals.files === 1 ? '' : 's'}`;
  return `${colors.bold(files)} (${parts.join(', ')}) in ${formatDuration(wallTimeMs)}`;
}

/** Scenario and step totals over every file's last attempt. */
export function runCounts(rows: readonly SummaryRow[]): { scenarios: StatusCounts; steps: StatusCounts; any: boolean } {
  const scenarios = emptyCounts();
  const steps = emptyCounts();
  let any = false;
  for (const row of rows) {
    if (row.result?.scenarios !== undefined) any = true;
    addCounts(scenarios, row.result?.scenarios);
    addCounts(steps, row.result?.steps);
  }
  return { scenarios, steps, any };
}

/** The end of a run: the output of every file that did not pass, a table of every file, then the totals. */
export function renderSummary(input: SummaryInput, colors: Colors): string {
  const withScenarios = input.rows.some((row) => row.result?.scenarios !== undefined);
  const withAttempts = input.rows.some((row) => row.attempts.length > 1);
  const table = new Table({
    head: [
      'File',
      'Status',
      ...(withScenarios ? ['Scenarios'] : []),
      'Duration',
      'Exit',
      ...(withAttempts ? ['Attempts'] : []),
    ],
    // No rule between rows: a long suite stays readable.
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
    style: { head: colors.isColorSupported ? ['bold'] : [], border: colors.isColorSupported ? ['gray'] : [] },
  });
  let busyMs = 0;
  for (const { file, result, attempts } of input.rows) {
    for (const attempt of attempts) busyMs += attempt.durationMs;
    const scenarios =
      result?.scenarios === undefined
        ? ''
        : totalOf(result.scenarios) === 0 && result.status === 'passed'
          ? colors.gray('none matched')
          : formatCountsShort(result.scenarios, colors);
    table.push([
      file,
      statusBadge(shownStatus(result), colors),
      ...(withScenarios ? [scenarios] : []),
      result === undefined ? '' : formatDuration(result.durationMs),
      result === undefined ? '' : (shownExitCode(result) ?? ''),
      ...(withAttempts ? [String(attempts.length)] : []),
    ]);
  }
  for (const file of input.noMatch ?? []) {
    table.push([
      colors.dim(file),
      colors.gray('· no matching scenarios'),
      ...(withScenarios ? [''] : []),
      '',
      '',
      ...(withAttempts ? [''] : []),
    ]);
  }
  // Files a cancelled run never started have nothing to show: one line says how many, not a block each.
  const shown = input.rows.flatMap((row) =>
    row.attempts.filter((attempt) => attempt !== row.result || input.showAllOutput || attempt.status !== 'passed'),
  );
  const neverRan = shown.filter((result) => result.status === 'cancelled' && result.containerId === null);
  const wrap = input.wrapOutput ?? ((_result: FileFinishedMessage, block: string) => block);
  const blocks = shown
    .filter((result) => !neverRan.includes(result))
    .map((result) => wrap(result, outputBlock(result, colors)));
  if (neverRan.length > 0) {
    const why = neverRan[0]?.error?.message.replace(/^not run: /, '') ?? 'the run was cancelled';
    blocks.push(
      paintStatus('cancelled', colors, `${neverRan.length} file${neverRan.length === 1 ? '' : 's'} not run: ${why}`),
    );
  }
  const speedup = input.wallTimeMs > 0 ? busyMs / input.wallTimeMs : 0;
  const timing = colors.dim(`files' own time ${formatDuration(busyMs)}, ${speedup.toFixed(1)}x parallel`);
  const narrow = input.width !== undefined && visibleWidth(table.toString().split('\n')[0] ?? '') > input.width;
  const lines = narrow
    ? [totalsLine(input.totals, input.wallTimeMs, colors), timing]
    : [`${totalsLine(input.totals, input.wallTimeMs, colors)} · ${timing}`];
  for (const advice of startupAdvice(
    input.rows.map((row) => row.result),
    { slots: input.slots ?? 1, wallTimeMs: input.wallTimeMs, packed: input.packed === true },
  )) {
    lines.push(colors.dim(wrapText(advice, input.width)));
  }
  const counts = runCounts(input.rows);
  if (counts.any)
    lines.unshift(formatCounts(counts.scenarios, 'scenario', colors), formatCounts(counts.steps, 'step', colors));
  const files = narrow ? compactRows(input, colors, input.width ?? 80) : table.toString();
  return [...blocks, files, lines.join('\n')].join('\n\n') + '\n';
}

/** The table for a narrow terminal: one line a file, status first, the path cut from the left to fit. */
function compactRows(input: SummaryInput, colors: Colors, width: number): string {
  const lines = input.rows.map(({ file, result, attempts }) => {
    const parts = [
      statusBadge(shownStatus(result), colors),
      ...(result?.scenarios === undefined ? [] : [formatCountsShort(result.scenarios, colors)]),
      ...(result === undefined ? [] : [formatDuration(result.durationMs)]),
      ...(attempts.length > 1 ? [`${attempts.length} attempts`] : []),
    ].filter((part) => part !== '');
    return fitLine(parts.join('  '), file, width);
  });
  for (const file of input.noMatch ?? []) lines.push(fitLine(colors.gray('· no matching scenarios'), file, width));
  return lines.join('\n');
}

/** `head  file`, the file cut from the left (…nested/x.feature) when the line would be wider than `width`. */
function fitLine(head: string, file: string, width: number): string {
  const room = width - visibleWidth(head) - 2;
  if (room >= file.length) return `${head}  ${file}`;
  if (room < 8) return `${head}\n  ${file.length > width - 2 ? `…${file.slice(file.length - (width - 3))}` : file}`;
  return `${head}  …${file.slice(file.length - (room - 1))}`;
}

// eslint-disable-next-line no-control-regex -- the escape that starts a colour is what it looks for
const ANSI = /\u001b\[[0-9;]*m/g;

/** Columns a line takes on a terminal: its characters without colour codes. */
export function visibleWidth(line: string): number {
  // UTF-16 units: close enough for paths and counts (a wide or astral character is rare in a summary).
  return line.replace(ANSI, '').length;
}

function totalOf(counts: StatusCounts): number {
  return Object.values(counts).reduce((sum, count) => sum + count, 0);
}
