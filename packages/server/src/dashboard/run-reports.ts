import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { FileMessages } from '@baleen/reports';
import type { LiveRun } from './live-run.js';

export const REPORT_KINDS = {
  messages: { file: 'messages.ndjson', contentType: 'application/x-ndjson; charset=utf-8' },
  junit: { file: 'junit.xml', contentType: 'application/xml; charset=utf-8' },
  html: { file: 'report.html', contentType: 'text/html; charset=utf-8' },
} as const;

/**
 * A run's cucumber reports, built on request from the message streams the server received (the same streams
 * its client merges), with the client's own report code (@baleen/reports). Sent as downloads, never rendered in
 * the dashboard's origin: cucumber's HTML report carries inline scripts.
 */
export class RunReports {
  async send(run: LiveRun, kind: string, response: ServerResponse): Promise<void> {
    if (!isReportKind(kind)) {
      response.writeHead(404, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: `no report '${kind}': messages, junit or html` }));
      return;
    }
    // Loaded only when a report is asked for: cucumber's formatters cost a moment to load.
    const reports = await import('@baleen/reports');
    const envelopes = reports.mergeMessageStreams(
      streamsOf(run, reports.combineChunkStreams),
      run.finished === undefined
        ? undefined
        : {
            startedAt: new Date(run.info.startedAt),
            finishedAt: new Date(run.info.startedAt + run.finished.wallTimeMs),
          },
    );
    const dir = await mkdtemp(path.join(tmpdir(), 'baleen-report-'));
    try {
      const { file, contentType } = REPORT_KINDS[kind];
      const target = path.join(dir, file);
      if (kind === 'messages') await reports.writeMessagesReport(target, envelopes);
      else if (kind === 'junit') await reports.writeJunitReport(target, envelopes, { suiteName: run.info.suite });
      else await reports.writeHtmlReport(target, envelopes);
      response.writeHead(200, {
        'content-type': contentType,
        'content-disposition': `attachment; filename="${run.runId}-${file}"`,
        'x-content-type-options': 'nosniff',
        'cache-control': 'no-store',
      });
      await pipeline(createReadStream(target), response);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}

function isReportKind(kind: string): kind is keyof typeof REPORT_KINDS {
  return Object.hasOwn(REPORT_KINDS, kind);
}

/** Each file's last attempt's stream; a file that did not pass also names why, as the client's reports do. */
function streamsOf(run: LiveRun, combine: (chunks: readonly string[]) => string): FileMessages[] {
  const streams: FileMessages[] = [];
  for (const file of run.files) {
    const chunks = run.messages.get(file.index);
    const parts = chunks === undefined ? [] : [...chunks.entries()].sort(([a], [b]) => a - b).map(([, text]) => text);
    const ndjson = parts.length === 0 ? undefined : parts.length === 1 ? parts[0] : combine(parts);
    if (file.state === 'passed') {
      if (ndjson !== undefined) streams.push({ fileIndex: file.index, file: file.file, ndjson });
      continue;
    }
    // Files still queued or running when a report is asked for are in it as not (yet) run.
    const reason =
      file.error !== null
        ? `${file.file} ${file.state}: ${file.error}`
        : file.state === 'queued' || file.state === 'starting' || file.state === 'running'
          ? `${file.file} had not finished when this report was made`
          : `${file.file} ${file.state}`;
    streams.push({
      fileIndex: file.index,
      file: file.file,
      ndjson: ndjson ?? '',
      reason,
      missing: { file: file.file, expected: run.info.expected?.[file.index], sourceText: undefined },
    });
  }
  return streams;
}
