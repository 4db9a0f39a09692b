import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { withTempDir } from '../testing/history-runs.js';
import { HistoryStore } from './history-store.js';

const FILES = 2000;
const SCENARIOS_PER_FILE = 10;
const RUNS = 5;

/** Records one run as the server would: each file's scenarios as they finish, then the file, then the end. */
function recordBigRun(store: HistoryStore, runId: string, files: readonly string[]): void {
  store.recordRunStarted({
    runId,
    suite: 'bench',
    client: 'local',
    image: 'bench',
    fileCount: files.length,
    startedAt: new Date(),
  });
  files.forEach((file, index) => {
    for (let s = 0; s < SCENARIOS_PER_FILE; s += 1) {
      store.recordScenario({
        runId,
        file,
        line: 3 + s * 5,
        name: `scenario ${s}`,
        attempt: 1,
        status: 'passed',
        durationMs: 40 + s,
      });
    }
    store.recordFileAttempt({
      runId,
      file,
      attempt: 1,
      final: true,
      status: index % 50 === 0 ? 'failed' : 'passed',
      exitCode: index % 50 === 0 ? 1 : 0,
      durationMs: 1000 + index,
      startupMs: 300,
      runMs: 700 + index,
      containerId: `container-${runId}-${index}`,
      scenarios: { passed: SCENARIOS_PER_FILE, failed: 0 },
    });
  });
  store.recordRunFinished({
    runId,
    status: 'failed',
    wallTimeMs: 60_000,
    totals: { files: files.length },
    finishedAt: new Date(),
  });
}

describe('HistoryStore benchmark (printed, not asserted)', () => {
  it(`records ${RUNS} runs of ${FILES} files and ${FILES * SCENARIOS_PER_FILE} scenarios, and estimates ${FILES} files`, () => {
    withTempDir((dir) => {
      const store = HistoryStore.open(path.join(dir, 'history.sqlite'));
      try {
        const files = Array.from({ length: FILES }, (_, i) => `features/area-${i % 40}/file-${i}.feature`);
        const lines: string[] = [];
        const ms = (from: number): string => `${(performance.now() - from).toFixed(0)} ms`;

        let started = performance.now();
        const empty = store.fileEstimates('bench', files);
        lines.push(`fileEstimates of ${FILES} files, no history: ${ms(started)}`);
        assert.equal(empty.size, 0);

        for (let run = 1; run <= RUNS; run += 1) {
          started = performance.now();
          recordBigRun(store, `run-${run}`, files);
          lines.push(`record run ${run} (${FILES} files, ${FILES * SCENARIOS_PER_FILE} scenarios): ${ms(started)}`);
          if (run === 1) {
            started = performance.now();
            const estimates = store.fileEstimates('bench', files);
            lines.push(`fileEstimates of ${FILES} files, 1 run of history: ${ms(started)}`);
            assert.equal(estimates.size, FILES);
          }
        }
        const stats = store.stats();
        lines.push(`${stats.flushes} flushes; the longest held the event loop ${stats.longestFlushMs.toFixed(1)} ms`);

        started = performance.now();
        const estimates = store.fileEstimates('bench', files);
        lines.push(`fileEstimates of ${FILES} files, ${RUNS} runs of history: ${ms(started)}`);
        assert.equal(estimates.get(files[1] ?? '')?.samples, RUNS);

        started = performance.now();
        const last = store.lastRun('bench');
        lines.push(`lastRun (${last?.files.length ?? 0} files): ${ms(started)}`);
        started = performance.now();
        store.scenarioEstimates('bench', files[0] ?? '');
        lines.push(`scenarioEstimates of one file: ${ms(started)}`);
        started = performance.now();
        store.flakyFiles('bench', { runs: 50 });
        lines.push(`flakyFiles over ${RUNS} runs: ${ms(started)}`);
        console.log(lines.map((line) => `  history benchmark: ${line}`).join('\n'));
      } finally {
        store.close();
      }
    });
  });
});
