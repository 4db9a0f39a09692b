import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FileStatus } from '@baleen/protocol';
import { recordRun, STORAGES, withStore, withTempDir } from '../testing/history-runs.js';
import type { HistoryStore } from './history-store.js';
import { median } from './median.js';

/** One run per entry, each with one attempt at a.feature. */
function runsOf(
  store: HistoryStore,
  attempts: { status: FileStatus; durationMs: number; startupMs?: number; runMs?: number }[],
) {
  attempts.forEach((attempt, index) => {
    recordRun(store, { runId: `run-${index + 1}`, files: [{ file: 'a.feature', attempts: [attempt] }] });
  });
}

describe('median', () => {
  it('takes the middle value, or the mean of the two middle ones', () => {
    assert.equal(median([]), undefined);
    assert.equal(median([7]), 7);
    assert.equal(median([9, 1, 5]), 5);
    assert.equal(median([400, 100, 300, 200]), 250);
  });
});

for (const storage of STORAGES) {
  describe(`estimates ${storage.name}`, () => {
    const withHistory = (use: (store: HistoryStore) => void): void =>
      withTempDir((dir) => withStore(storage.file(dir), use));

    it("are the median of a file's last 5 final attempts", () => {
      withHistory((store) => {
        runsOf(
          store,
          [9000, 9000, 300, 100, 500, 200, 400].map((durationMs) => ({ status: 'passed', durationMs })),
        );
        assert.deepEqual(
          store.fileEstimates('suite-a', ['a.feature']),
          new Map([['a.feature', { durationMs: 300, startupMs: undefined, samples: 5 }]]),
        );
      });
    });

    it('carry the median start-up and scenario time where they were measured', () => {
      withHistory((store) => {
        runsOf(store, [
          { status: 'passed', durationMs: 4000, startupMs: 2000, runMs: 100 },
          { status: 'passed', durationMs: 4200, startupMs: 2200, runMs: 300 },
          { status: 'passed', durationMs: 4100, startupMs: 2100, runMs: 200 },
        ]);
        assert.deepEqual(store.fileEstimates('suite-a', ['a.feature']).get('a.feature'), {
          durationMs: 4100,
          startupMs: 2100,
          runMs: 200,
          samples: 3,
        });
      });
    });

    it('count only attempts that ran to an end: passed, failed, timed-out or oom, not cancelled or error', () => {
      withHistory((store) => {
        runsOf(store, [
          { status: 'passed', durationMs: 10 },
          { status: 'failed', durationMs: 20 },
          { status: 'timed-out', durationMs: 30 },
          { status: 'oom', durationMs: 40 },
          { status: 'cancelled', durationMs: 1 },
          { status: 'error', durationMs: 1 },
          { status: 'passed', durationMs: 50 },
          { status: 'cancelled', durationMs: 1 },
        ]);
        // The last 5 that ran to an end are 20, 30, 40, 50 and 10 is the sixth: median 30.
        assert.deepEqual(store.fileEstimates('suite-a', ['a.feature']).get('a.feature'), {
          durationMs: 30,
          startupMs: undefined,
          samples: 5,
        });
      });
    });

    it('count the final attempt of a retried file, not the attempts before it', () => {
      withHistory((store) => {
        recordRun(store, {
          runId: 'run-1',
          files: [
            {
              file: 'a.feature',
              attempts: [
                { status: 'timed-out', durationMs: 600_000, startupMs: 5000 },
                { status: 'failed', durationMs: 90_000, startupMs: 4000 },
                { status: 'passed', durationMs: 1200, startupMs: 300 },
              ],
            },
          ],
        });
        assert.deepEqual(store.fileEstimates('suite-a', ['a.feature']).get('a.feature'), {
          durationMs: 1200,
          startupMs: 300,
          samples: 1,
        });
      });
    });

    it('give the median start-up over the attempts that measured it, and none when none did', () => {
      withHistory((store) => {
        runsOf(store, [
          { status: 'passed', durationMs: 100, startupMs: 900 },
          { status: 'passed', durationMs: 100 },
          { status: 'passed', durationMs: 100, startupMs: 300 },
          { status: 'failed', durationMs: 100, startupMs: 500 },
        ]);
        recordRun(store, { runId: 'run-b', files: [{ file: 'b.feature', attempts: [{ status: 'passed' }] }] });
        const estimates = store.fileEstimates('suite-a', ['a.feature', 'b.feature']);
        assert.equal(estimates.get('a.feature')?.startupMs, 500);
        assert.equal(estimates.get('a.feature')?.samples, 4);
        assert.equal(estimates.get('b.feature')?.startupMs, undefined);
      });
    });

    it('leave out files the suite has no timing of, and never mix suites', () => {
      withHistory((store) => {
        recordRun(store, {
          runId: 'run-1',
          suite: 'suite-b',
          files: [{ file: 'a.feature', attempts: [{ status: 'passed', durationMs: 77 }] }],
        });
        recordRun(store, { runId: 'run-2', files: [{ file: 'c.feature', attempts: [{ status: 'cancelled' }] }] });
        assert.deepEqual(store.fileEstimates('suite-a', ['a.feature', 'b.feature', 'c.feature']), new Map());
        assert.equal(store.fileEstimates('suite-b', ['a.feature']).get('a.feature')?.durationMs, 77);
      });
    });

    it("add up a split file's chunks, and take a run only when every chunk ran to an end", () => {
      withHistory((store) => {
        const chunks = (second: FileStatus) => [
          { status: 'passed' as const, durationMs: 300, startupMs: 50, chunk: '1 of 2' },
          { status: second, durationMs: 200, startupMs: 80, chunk: '2 of 2' },
        ];
        recordRun(store, { runId: 'run-1', files: [{ file: 'a.feature', attempts: chunks('failed') }] });
        recordRun(store, { runId: 'run-2', files: [{ file: 'a.feature', attempts: chunks('cancelled') }] });
        assert.deepEqual(store.fileEstimates('suite-a', ['a.feature']).get('a.feature'), {
          durationMs: 500,
          startupMs: 80,
          samples: 1,
        });
        assert.equal(store.runFiles('run-1')[1]?.chunk, '2 of 2');
        assert.equal(store.lastRun('suite-a')?.files[0]?.status, 'cancelled');
      });
    });

    it("of scenarios are the median of each line's last 5 results that passed or failed", () => {
      withHistory((store) => {
        const durations = [1000, 50, 10, 40, 20, 30];
        durations.forEach((durationMs, index) => {
          recordRun(store, {
            runId: `run-${index + 1}`,
            files: [
              {
                file: 'a.feature',
                attempts: [{ status: 'passed' }],
                scenarios: [
                  { line: 3, status: index % 2 === 0 ? 'passed' : 'failed', durationMs },
                  { line: 8, status: 'skipped', durationMs: 0 },
                  { line: 12, status: index === 5 ? 'undefined' : 'passed', durationMs: durationMs * 2 },
                ],
              },
            ],
          });
        });
        assert.deepEqual(
          store.scenarioEstimates('suite-a', 'a.feature'),
          new Map([
            [3, 30],
            [12, 80],
          ]),
        );
        assert.deepEqual(store.scenarioEstimates('suite-b', 'a.feature'), new Map());
      });
    });
  });
}
