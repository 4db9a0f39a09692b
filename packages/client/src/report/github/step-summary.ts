import type { RunTotals } from '@baleen/protocol';
import { formatDuration, shownStatus, type ShownStatus } from '../format.js';
import { runCounts, type SummaryRow } from '../summary.js';

export interface StepSummaryInput {
  rows: readonly SummaryRow[];
  totals: RunTotals;
  wallTimeMs: number;
  /** How many of the slowest files to list. */
  slowest?: number;
}

const ICONS: Record<ShownStatus, string> = {
  passed: '✅',
  flaky: '⚠️',
  failed: '❌',
  'timed-out': '⏱️',
  oom: '💥',
  error: '🛑',
  cancelled: '⏹️',
  'not run': '⏹️',
};

/**
 * The run as GitHub-flavoured Markdown, for `$GITHUB_STEP_SUMMARY`: totals, a table of every file (those that
 * did not pass first), the flaky files and the slowest files. Cells are escaped so a path or name holding `|`,
 * `<` or a newline cannot break the table or inject HTML.
 */
export function renderStepSummary(input: StepSummaryInput): string {
  const { totals } = input;
  const failedCount = totals.failed + totals.timedOut + totals.oom + totals.error;
  const verdict =
    failedCount > 0 ? '❌ failed' : totals.cancelled > 0 || totals.notRun > 0 ? '⏹️ incomplete' : '✅ passed';
  const parts: string[] = [`## Baleen: ${verdict}`, ''];
  const counts: [number, string][] = [
    [totals.passed, 'passed'],
    [totals.flaky, 'flaky'],
    [totals.failed, 'failed'],
    [totals.timedOut, 'timed out'],
    [totals.oom, 'out of memory'],
    [totals.error, 'error'],
    [totals.cancelled, 'cancelled'],
    [totals.notRun, 'not run'],
  ];
  const shownCounts = counts.filter(([count]) => count > 0).map(([count, label]) => `${count} ${label}`);
  parts.push(
    `**${totals.files} file${totals.files === 1 ? '' : 's'}** (${shownCounts.join(', ')}) in ${formatDuration(input.wallTimeMs)}`,
  );
  const scenarioCounts = runCounts(input.rows);
  if (scenarioCounts.any) {
    const scenarios = Object.entries(scenarioCounts.scenarios)
      .filter(([, count]) => count > 0)
      .map(([status, count]) => `${count} ${status}`);
    const total = Object.values(scenarioCounts.scenarios).reduce((sum, count) => sum + count, 0);
    parts.push('', `${total} scenario${total === 1 ? '' : 's'} (${scenarios.join(', ')})`);
  }

  const ordered = [...input.rows].sort((a, b) => rank(a) - rank(b) || a.file.localeCompare(b.file));
  parts.push('', '| File | Status | Scenarios | Duration | Attempts |', '| --- | --- | --- | ---: | ---: |');
  for (const row of ordered) {
    const shown = shownStatus(row.result);
    const scenarios = row.result?.scenarios;
    const scenarioText =
      scenarios === undefined
        ? ''
        : Object.entries(scenarios)
            .filter(([, count]) => count > 0)
            .map(([status, count]) => `${count} ${status}`)
            .join(', ');
    parts.push(
      `| ${cell(row.file)} | ${ICONS[shown]} ${shown} | ${cell(scenarioText)} | ${
        row.result === undefined ? '' : formatDuration(row.result.durationMs)
      } | ${row.attempts.length} |`,
    );
  }

  const flaky = input.rows.filter((row) => shownStatus(row.result) === 'flaky');
  if (flaky.length > 0) {
    parts.push('', '### Flaky files', '');
    for (const row of flaky) parts.push(`- ${cell(row.file)}: passed on attempt ${row.result?.attempt ?? 0}`);
  }

  const timed = input.rows.filter((row) => row.result !== undefined);
  const slowest = [...timed]
    .sort((a, b) => (b.result?.durationMs ?? 0) - (a.result?.durationMs ?? 0))
    .slice(0, input.slowest ?? 5);
  if (slowest.length > 0) {
    parts.push('', '### Slowest files', '', '| File | Duration |', '| --- | ---: |');
    for (const row of slowest) parts.push(`| ${cell(row.file)} | ${formatDuration(row.result?.durationMs ?? 0)} |`);
  }
  return parts.join('\n') + '\n';
}

/** Files that did not pass come first, then flaky ones, then the rest. */
function rank(row: SummaryRow): number {
  const shown = shownStatus(row.result);
  return shown === 'passed' ? 2 : shown === 'flaky' ? 1 : 0;
}

/** A table cell: no newline, `|` escaped, HTML and Markdown's own characters shown as text. */
export function cell(text: string): string {
  return text
    .replace(/[\r\n]+/g, ' ')
    .replace(/[\\`*_[\]<>|&]/g, (char) =>
      char === '<' ? '&lt;' : char === '>' ? '&gt;' : char === '&' ? '&amp;' : `\\${char}`,
    );
}
