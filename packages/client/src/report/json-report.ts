import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { FileFinishedMessage } from '@baleen/protocol';
import type { RunResult } from '../run/run-on-server.js';
import { shownStatus } from './format.js';

function attemptSummary(r: FileFinishedMessage) {
  return {
    attempt: r.attempt,
    status: r.status,
    exitCode: r.exitCode,
    durationMs: r.durationMs,
    containerId: r.containerId,
    ...(r.node === undefined ? {} : { node: r.node }),
    ...(r.kept === true ? { kept: true } : {}),
    error: r.error,
    scenarios: r.scenarios,
    steps: r.steps,
    ...(r.missing === undefined ? {} : { missing: r.missing }),
    ...(r.cucumberVersion === undefined ? {} : { cucumberVersion: r.cucumberVersion }),
    ...(r.startupMs === undefined ? {} : { startupMs: r.startupMs }),
    ...(r.runMs === undefined ? {} : { runMs: r.runMs }),
    ...(r.pack === undefined ? {} : { pack: r.pack }),
    ...(r.chunks === undefined ? {} : { chunks: r.chunks }),
    stdout: r.stdout,
    stderr: r.stderr,
    stdoutTruncated: r.stdoutTruncated,
    stderrTruncated: r.stderrTruncated,
  };
}

/** Baleen's own machine-readable summary of a run (`--json FILE`). */
export async function writeJsonReport(file: string, files: readonly string[], result: RunResult): Promise<void> {
  const report = {
    runId: result.runId,
    serverId: result.welcome.serverId,
    engine: result.welcome.engine,
    ...(result.prepare === undefined ? {} : { prepare: result.prepare }),
    status: result.finished.status,
    ...(result.finished.error === undefined ? {} : { error: result.finished.error }),
    wallTimeMs: result.finished.wallTimeMs,
    totals: result.finished.totals,
    ...(result.planned === undefined
      ? {}
      : {
          planned: {
            order: result.planned.order,
            history: result.planned.history,
            containers: result.planned.containers,
            packs: result.planned.packs,
            splits: result.planned.splits,
          },
        }),
    // Sorted by path so reports of two runs compare line by line; `index` keeps the start order.
    files: files
      .map((name, index) => {
        const final = result.files[index];
        const attempts = result.attempts[index] ?? [];
        if (final === undefined)
          return { file: name, index, status: 'not run', attempts: attempts.map(attemptSummary) };
        return {
          file: name,
          index,
          ...attemptSummary(final),
          status: shownStatus(final),
          attempts: attempts.map(attemptSummary),
        };
      })
      .sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0)),
  };
  await mkdir(path.dirname(path.resolve(file)), { recursive: true });
  await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
}
