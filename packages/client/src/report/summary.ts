import type { FileFinishedMessage, RunTotals } from '@baleen/protocol';
import Table from 'cli-table3';
import type { Colors } from './colors.js';
import { formatDuration, paintStatus, statusBadge, type ShownStatus } from './format.js';

export interface SummaryInput {
  files: readonly string[];
  results: readonly (FileFinishedMessage | undefined)[];
  totals: RunTotals;
  wallTimeMs: number;
  /** Print the output of passed files too. */
  showAllOutput: boolean;
}

function indent(text: string): string {
  return text
    .replace(/\n$/, '')
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n');
}

function outputBlock(result: FileFinishedMessage, colors: Colors): string {
  const exit = result.exitCode === null ? '' : `, exit ${result.exitCode}`;
  const parts = [
    colors.bold(
      `── ${result.file} (${paintStatus(result.status, colors)}${exit}, ${formatDuration(result.durationMs)}) ──`,
    ),
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
  if (result.stdout.length === 0 && result.stderr.length === 0 && result.error === undefined)
    parts.push(colors.dim('  (no output)'));
  return parts.join('\n');
}

export function totalsLine(totals: RunTotals, wallTimeMs: number, colors: Colors): string {
  const counts: [number, ShownStatus, string][] = [
    [totals.passed, 'passed', 'passed'],
    [totals.failed, 'failed', 'failed'],
    [totals.timedOut, 'timed-out', 'timed out'],
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

/** The end of a run: a table of every file, the output of every file that did not pass, then the totals. */
export function renderSummary(input: SummaryInput, colors: Colors): string {
  const table = new Table({
    head: ['File', 'Status', 'Duration', 'Exit'],
    // No rule between rows: a long suite stays readable.
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
    style: { head: colors.isColorSupported ? ['bold'] : [], border: colors.isColorSupported ? ['gray'] : [] },
  });
  let busyMs = 0;
  input.files.forEach((file, index) => {
    const result = input.results[index];
    busyMs += result?.durationMs ?? 0;
    table.push([
      file,
      statusBadge(result?.status ?? 'not run', colors),
      result === undefined ? '' : formatDuration(result.durationMs),
      result?.exitCode === null || result === undefined ? '' : String(result.exitCode),
    ]);
  });
  const blocks = input.results
    .filter((result): result is FileFinishedMessage => result !== undefined)
    .filter((result) => input.showAllOutput || result.status !== 'passed')
    .map((result) => outputBlock(result, colors));
  const speedup = input.wallTimeMs > 0 ? busyMs / input.wallTimeMs : 0;
  const timing = colors.dim(`files' own time ${formatDuration(busyMs)}, ${speedup.toFixed(1)}x parallel`);
  return (
    [...blocks, table.toString(), `${totalsLine(input.totals, input.wallTimeMs, colors)} · ${timing}`].join('\n\n') +
    '\n'
  );
}
