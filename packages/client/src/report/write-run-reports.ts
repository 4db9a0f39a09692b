import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ExpectedScenario, FileFinishedMessage } from '@baleen/protocol';
import type { RunResult } from '../run/run-on-server.js';
import type { FileMessages } from '@baleen/reports';
import { writeJsonReport } from './json-report.js';

export interface ReportTargets {
  json?: string;
  messages?: string;
  junit?: string;
  html?: string;
}

/**
 * Writes every report asked for, whatever the run's outcome (failed, cancelled, stopped by --fail-fast): a report
 * is most needed when something went wrong. Returns the paths written.
 */
export interface ReportContext {
  /** Where the run's file paths are relative to (feature files are read from there to describe missing scenarios). */
  cwd: string;
  /** What each file was expected to run, when discovery knew. */
  expected?: (file: string) => readonly ExpectedScenario[] | undefined;
  /** When the run began, by this machine's clock: the reports' time is the run's (its wall time from here). */
  startedAt?: Date;
}

/** What writing the reports came to: the files written, and each report that could not be, with why. */
export interface WrittenReports {
  written: string[];
  failed: { file: string; reason: string }[];
}

export async function writeRunReports(
  targets: ReportTargets,
  files: readonly string[],
  result: RunResult,
  context: ReportContext = { cwd: process.cwd() },
): Promise<WrittenReports> {
  const outcome: WrittenReports = { written: [], failed: [] };
  // One report that cannot be written never costs the others.
  const attempt = async (file: string, write: () => Promise<void>): Promise<void> => {
    try {
      await write();
      outcome.written.push(file);
    } catch (error) {
      outcome.failed.push({ file, reason: error instanceof Error ? error.message : String(error) });
    }
  };
  if (targets.json !== undefined) await attempt(targets.json, () => writeJsonReport(targets.json ?? '', files, result));
  const cucumberTargets = [targets.messages, targets.junit, targets.html].filter((target) => target !== undefined);
  if (cucumberTargets.length === 0) return outcome;
  try {
    await writeCucumberReports(targets, files, result, context, attempt);
  } catch (error) {
    // Merging the streams failed: every cucumber report says so.
    const reason = error instanceof Error ? error.message : String(error);
    for (const file of cucumberTargets)
      outcome.failed.push({ file, reason: `the message streams could not be merged: ${reason}` });
  }
  return outcome;
}

async function writeCucumberReports(
  targets: ReportTargets,
  files: readonly string[],
  result: RunResult,
  context: ReportContext,
  attempt: (file: string, write: () => Promise<void>) => Promise<void>,
): Promise<void> {
  // cucumber's formatters are loaded only when a cucumber report is asked for (they cost ~150 ms at start-up).
  const { mergeMessageStreams, combineChunkStreams, writeHtmlReport, writeJunitReport, writeMessagesReport } =
    await import('@baleen/reports');
  const streams: FileMessages[] = [];
  for (const [fileIndex, file] of files.entries()) {
    const kept = result.messages[fileIndex];
    // A file split over several containers: its chunks' streams, as one.
    const ndjson = kept === undefined || typeof kept === 'string' ? kept : combineChunkStreams(kept);
    const final = result.files[fileIndex];
    if (final?.status === 'passed') {
      if (ndjson !== undefined) streams.push({ fileIndex, file, ndjson });
      continue;
    }
    // A file that did not pass is in every report, each scenario it did not finish as a failure saying why.
    streams.push({
      fileIndex,
      file,
      ndjson: ndjson ?? '',
      reason: reasonOf(final),
      missing: {
        file,
        expected: context.expected?.(file),
        sourceText: await readFile(path.resolve(context.cwd, file), 'utf8').catch(() => undefined),
      },
    });
  }
  const { startedAt } = context;
  const envelopes = mergeMessageStreams(
    streams,
    startedAt === undefined
      ? undefined
      : { startedAt, finishedAt: new Date(startedAt.getTime() + result.finished.wallTimeMs) },
  );
  const { messages, junit, html } = targets;
  if (messages !== undefined) await attempt(messages, () => writeMessagesReport(messages, envelopes));
  // GitLab shows each case's file relative to the project's root (CI_PROJECT_DIR), where the job runs from.
  const root = process.env['CI_PROJECT_DIR'] ?? context.cwd;
  const filePath = (uri: string): string =>
    path.relative(root, path.resolve(context.cwd, uri)).split(path.sep).join('/');
  if (junit !== undefined)
    await attempt(junit, () => writeJunitReport(junit, envelopes, { suiteName: 'baleen', filePath }));
  if (html !== undefined) await attempt(html, () => writeHtmlReport(html, envelopes));
}

/** Why a file did not pass, in words for a report. */
function reasonOf(final: FileFinishedMessage | undefined): string {
  if (final === undefined) return 'the run ended before this file ran';
  if (final.error !== undefined) return `${final.file} ${final.status}: ${final.error.message}`;
  const exit = final.exitCode === null ? '' : ` (exit ${final.exitCode})`;
  return `${final.file} ${final.status}${exit}`;
}
