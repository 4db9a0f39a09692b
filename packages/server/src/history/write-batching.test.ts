import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import DatabaseConstructor from 'better-sqlite3';
import { holdWriteLock, recordRun, withTempDir } from '../testing/history-runs.js';
import { HistoryStore } from './history-store.js';

/** What another connection sees in the file: only what was committed. */
function committed(file: string): { runs: number; scenarioResults: number } {
  const db = new DatabaseConstructor(file, { readonly: true });
  try {
    const count = (table: string): number =>
      (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    return { runs: count('runs'), scenarioResults: count('scenario_results') };
  } finally {
    db.close();
  }
}

function startRun(store: HistoryStore, runId = 'run-1'): void {
  store.recordRunStarted({ runId, suite: 'suite-a', client: 'local', image: 'i', fileCount: 1, startedAt: new Date() });
}

function recordScenarios(store: HistoryStore, count: number, runId = 'run-1'): void {
  for (let line = 1; line <= count; line += 1) {
    store.recordScenario({
      runId,
      file: 'a.feature',
      line,
      name: `s${line}`,
      attempt: 1,
      status: 'passed',
      durationMs: 1,
    });
  }
}

/** An async test body with a store on a temporary file, closed afterwards. */
async function withFileStore(
  use: (store: HistoryStore, file: string, errors: Error[]) => Promise<void> | void,
  options: Parameters<typeof HistoryStore.open>[1] = {},
): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'baleen-history-'));
  const file = path.join(dir, 'history.sqlite');
  const errors: Error[] = [];
  const store = HistoryStore.open(file, { onError: (error) => errors.push(error), ...options });
  try {
    await use(store, file, errors);
  } finally {
    store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

describe('HistoryStore writes', () => {
  it('wait up to 100 ms and then go in one transaction', async () => {
    await withFileStore(async (store, file) => {
      startRun(store);
      recordScenarios(store, 10);
      assert.equal(store.stats().pendingWrites, 11);
      assert.deepEqual(committed(file), { runs: 0, scenarioResults: 0 });
      await sleep(250);
      assert.equal(store.stats().pendingWrites, 0);
      assert.equal(store.stats().flushes, 1);
      assert.deepEqual(committed(file), { runs: 1, scenarioResults: 10 });
    });
  });

  it('go 500 at a time when they come faster: 1,000 scenarios are two transactions', async () => {
    await withFileStore((store, file, errors) => {
      startRun(store);
      store.flush();
      recordScenarios(store, 1000);
      assert.deepEqual(
        { pending: store.stats().pendingWrites, flushes: store.stats().flushes },
        { pending: 0, flushes: 3 },
      );
      assert.deepEqual(committed(file), { runs: 1, scenarioResults: 1000 });
      assert.deepEqual(errors, []);
    });
  });

  it('are all written by close, in one transaction when the buffer holds them all', () => {
    withTempDir((dir) => {
      const file = path.join(dir, 'history.sqlite');
      const store = HistoryStore.open(file, { maxPendingWrites: 2000 });
      startRun(store);
      recordScenarios(store, 1000);
      assert.equal(store.stats().flushes, 0);
      store.close();
      assert.equal(store.stats().flushes, 1);
      assert.deepEqual(committed(file), { runs: 1, scenarioResults: 1000 });
      const reopened = HistoryStore.open(file);
      assert.equal(reopened.runScenarios('run-1').length, 1000);
      reopened.close();
    });
  });

  it("are flushed at once by a run's end, and read back at once by this process", () => {
    withTempDir((dir) => {
      const file = path.join(dir, 'history.sqlite');
      const store = HistoryStore.open(file);
      startRun(store);
      assert.equal(store.recentRuns({ limit: 1 }).length, 1); // A read flushes first.
      recordRun(store, { runId: 'run-2', files: [{ file: 'a.feature', attempts: [{ status: 'passed' }] }] });
      assert.equal(store.stats().pendingWrites, 0);
      assert.equal(committed(file).runs, 2);
      store.close();
      startRun(store, 'run-after-close'); // Dropped, not thrown.
    });
  });

  it('from two stores on one file both land', async () => {
    await withFileStore(async (first, file, errors) => {
      const second = HistoryStore.open(file, { onError: (error) => errors.push(error) });
      try {
        startRun(first, 'run-first');
        startRun(second, 'run-second');
        recordScenarios(first, 700, 'run-first');
        recordScenarios(second, 700, 'run-second');
        await sleep(250);
        first.recordRunFinished({
          runId: 'run-first',
          status: 'passed',
          wallTimeMs: 1,
          totals: {},
          finishedAt: new Date(),
        });
        second.close();
        for (const store of [first, HistoryStore.open(file)]) {
          assert.deepEqual(
            store.recentRuns({ limit: 5 }).map((run) => [run.runId, run.status]),
            [
              ['run-second', null],
              ['run-first', 'passed'],
            ],
          );
          assert.equal(store.runScenarios('run-second').length, 700);
          assert.equal(store.runScenarios('run-first').length, 700);
        }
        assert.deepEqual(errors, []);
      } finally {
        second.close();
      }
    });
  });

  it("wait for another process's write lock (busy timeout) rather than fail", async () => {
    await withFileStore(async (store, file, errors) => {
      const { released } = await holdWriteLock(file, 1000);
      const started = performance.now();
      recordRun(store, { runId: 'run-1', files: [{ file: 'a.feature', attempts: [{ status: 'passed' }] }] });
      const waited = performance.now() - started;
      await released;
      assert.ok(waited >= 100, `the flush waited ${waited.toFixed(0)} ms for the lock`);
      assert.deepEqual(errors, []);
      assert.equal(store.lastRun('suite-a')?.runId, 'run-1');
    });
  });
});
