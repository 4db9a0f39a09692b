import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { RunResult } from '../run/run-on-server.js';

/** Baleen's own machine-readable summary of a run (`--json FILE`). */
export async function writeJsonReport(file: string, files: readonly string[], result: RunResult): Promise<void> {
  const report = {
    runId: result.runId,
    serverId: result.welcome.serverId,
    status: result.finished.status,
    ...(result.finished.error === undefined ? {} : { error: result.finished.error }),
    wallTimeMs: result.finished.wallTimeMs,
    totals: result.finished.totals,
    files: files.map((name, index) => {
      const r = result.files[index];
      if (r === undefined) return { file: name, status: 'not run' };
      return {
        file: name,
        status: r.status,
        attempt: r.attempt,
        exitCode: r.exitCode,
        durationMs: r.durationMs,
        containerId: r.containerId,
        error: r.error,
        stdout: r.stdout,
        stderr: r.stderr,
        stdoutTruncated: r.stdoutTruncated,
        stderrTruncated: r.stderrTruncated,
      };
    }),
  };
  await mkdir(path.dirname(path.resolve(file)), { recursive: true });
  await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
}
