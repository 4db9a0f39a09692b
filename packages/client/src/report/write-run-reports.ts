import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ExpectedScenario, FileFinishedMessage } from '@baleen/protocol';
import type { RunResult } from '../run/run-on-server.js';
import type { FileMessages } from './cucumber/merge-messages.js';
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
}

export async function writeRunReports(
  targets: ReportTargets,
  files: readonly string[],
  result: RunResult,
  context: ReportContext = { cwd: process.cwd() },
): Promise<string[]> {
  const written: string[] = [];
  if (targets.json !== undefined) {
    await writeJsonReport(targets.json, files, result);
    written.push(targets.json);
  }
  if (targets.messages === undefined && targets.junit === undefined && targets.html === undefined) return written;
  // cucumber's formatters are loaded only when a cucumber report is asked for (they cost ~150 ms at start-up).
  const [{ mergeMessageStreams }, { writeHtmlReport, writeJunitReport, writeMessagesReport }] = await Promise.all([
    import('./cucumber/merge-messages.js'),
    import('./cucumber/write-reports.js'),
  ]);
  const streams: FileMessages[] = [];
  const { combineChunkStreams } = await import('./cucumber/combine-chunks.js');
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
  const envelopes = mergeMessageStreams(streams);
  if (targets.messages !== undefined) {
    await writeMessagesReport(targets.messages, envelopes);
    written.push(targets.messages);
  }
  if (targets.junit !== undefined) {
    await writeJunitReport(targets.junit, envelopes, { suiteName: 'baleen' });
    written.push(targets.junit);
  }
  if (targets.html !== undefined) {
    await writeHtmlReport(targets.html, envelopes);
    written.push(targets.html);
  }
  return written;
}

/** Why a file did not pass, in words for a report. */
function reasonOf(final: FileFinishedMessage | undefined): string {
  if (final === undefined) return 'the run ended before this file ran';
  if (final.error !== undefined) return `${final.file} ${final.status}: ${final.error.message}`;
  const exit = final.exitCode === null ? '' : ` (exit ${final.exitCode})`;
  return `${final.file} ${final.status}${exit}`;
}
