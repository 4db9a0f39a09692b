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
export async function writeRunReports(
  targets: ReportTargets,
  files: readonly string[],
  result: RunResult,
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
  result.messages.forEach((ndjson, fileIndex) => {
    if (ndjson !== undefined) streams.push({ fileIndex, file: files[fileIndex] ?? '', ndjson });
  });
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
