import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FileStatus } from '@baleen/protocol';
import { recordRun, withStore } from '../testing/history-runs.js';
import type { HistoryStore } from './history-store.js';

/** One run per step; each step gives a.feature's attempts in that run. */
function runsOf(store: HistoryStore, steps: FileStatus[][], file = 'a.feature'): void {
  for (const statuses of steps) {
    recordRun(store, {
      runId: `run-${file}-${store.recentRuns({ limit: 1000 }).length + 1}`,
      files: [{ file, attempts: statuses.map((status) => ({ status })) }],
    });
  }
}

describe('flakyFiles', () => {
  it('finds a file that passed only on a retry', () => {
    withStore(':memory:', (store) => {
      runsOf(store, [['passed'], ['failed', 'passed'], ['passed'], ['passed']]);
      assert.deepEqual(store.flakyFiles('suite-a', { runs: 10 }), [
        { file: 'a.feature', runs: 4, retriedPasses: 1, flips: 0, flakyRate: 0.25 },
      ]);
    });
  });

  it('finds a file whose outcome goes back and forth', () => {
    withStore(':memory:', (store) => {
      runsOf(store, [['passed'], ['failed'], ['passed'], ['timed-out']]);
      assert.deepEqual(store.flakyFiles('suite-a', { runs: 10 }), [
        { file: 'a.feature', runs: 4, retriedPasses: 0, flips: 3, flakyRate: 0.75 },
      ]);
    });
  });

  it('leaves out a file that broke once or was fixed once, and runs that were cancelled or errored', () => {
    withStore(':memory:', (store) => {
      runsOf(store, [['passed'], ['passed'], ['failed'], ['cancelled'], ['failed'], ['error'], ['failed']]);
      runsOf(store, [['failed'], ['failed'], ['passed']], 'fixed.feature');
      assert.deepEqual(store.flakyFiles('suite-a', { runs: 20 }), []);
    });
  });

  it("looks at the suite's last N finished runs only, and ranks the flakiest first", () => {
    withStore(':memory:', (store) => {
      runsOf(store, [['passed'], ['failed'], ['passed'], ['passed'], ['passed'], ['passed']]);
      runsOf(
        store,
        [
          ['failed', 'passed'],
          ['failed', 'failed', 'passed'],
        ],
        'b.feature',
      );
      runsOf(store, [['failed', 'passed'], ['passed'], ['passed'], ['passed']], 'c.feature');
      recordRun(store, {
        runId: 'run-unfinished',
        status: 'unfinished',
        files: [{ file: 'd.feature', attempts: [{ status: 'failed' }, { status: 'passed' }] }],
      });
      recordRun(store, {
        runId: 'run-other-suite',
        suite: 'suite-b',
        files: [{ file: 'e.feature', attempts: [{ status: 'failed' }, { status: 'passed' }] }],
      });
      assert.deepEqual(store.flakyFiles('suite-a', { runs: 6 }), [
        { file: 'b.feature', runs: 2, retriedPasses: 2, flips: 0, flakyRate: 1 },
        { file: 'c.feature', runs: 4, retriedPasses: 1, flips: 0, flakyRate: 0.25 },
      ]);
      assert.deepEqual(
        store.flakyFiles('suite-a', { runs: 12 }).map((flaky) => flaky.file),
        ['b.feature', 'a.feature', 'c.feature'],
      );
    });
  });
});
