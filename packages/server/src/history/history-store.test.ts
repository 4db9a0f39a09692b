import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import DatabaseConstructor from 'better-sqlite3';
import { recordRun, STORAGES, withStore, withTempDir } from '../testing/history-runs.js';
import { MIGRATIONS } from './history-schema.js';
import { HistoryStore } from './history-store.js';
import { MAX_ERROR_MESSAGE_CHARS } from './history-writer.js';

for (const storage of STORAGES) {
  describe(`HistoryStore ${storage.name}`, () => {
    const withHistory = <T>(use: Parameters<typeof withStore<T>>[1], options = {}): T =>
      withTempDir((dir) => withStore(storage.file(dir), use, options));

    it('records a run, its attempts and its scenarios, and reads each back', () => {
      withHistory((store, errors) => {
        const startedAt = new Date('2026-03-01T10:00:00Z');
        store.recordRunStarted({
          runId: 'run-1',
          suite: 'baleen-fixtures#api',
          client: 'ci-token',
          image: 'baleen-fixtures:latest',
          fileCount: 2,
          startedAt,
        });
        store.recordFileAttempt({
          runId: 'run-1',
          file: 'features/a.feature',
          attempt: 1,
          final: false,
          status: 'timed-out',
          exitCode: null,
          durationMs: 600_000.4,
          startupMs: 812,
          runMs: 599_000,
          containerId: 'c-1',
          node: 'node-1',
          errorCode: 'TIMED_OUT',
          errorMessage: 'x'.repeat(10_000),
          scenarios: { passed: 1, failed: 0, unfinished: 2 },
        });
        store.recordFileAttempt({
          runId: 'run-1',
          file: 'features/a.feature',
          attempt: 2,
          final: true,
          status: 'passed',
          exitCode: 0,
          durationMs: 1500,
          pack: 'pack-1',
        });
        store.recordScenario({
          runId: 'run-1',
          file: 'features/a.feature',
          line: 7,
          name: 'adds',
          attempt: 1,
          status: 'unfinished',
          durationMs: 0,
        });
        store.recordScenario({
          runId: 'run-1',
          file: 'features/a.feature',
          line: 7,
          name: 'adds',
          attempt: 2,
          status: 'passed',
          durationMs: 120,
        });
        store.recordScenario({
          runId: 'run-1',
          file: 'features/b.feature',
          line: 3,
          name: 'breaks',
          attempt: 1,
          status: 'failed',
          durationMs: 30,
          errorMessage: 'e'.repeat(5000),
        });
        store.recordRunFinished({
          runId: 'run-1',
          status: 'passed',
          wallTimeMs: 602_000,
          totals: { files: 2, passed: 1, flaky: 1 },
          finishedAt: new Date('2026-03-01T10:10:02Z'),
        });

        assert.deepEqual(store.recentRuns({ limit: 10 }), [
          {
            runId: 'run-1',
            suite: 'baleen-fixtures#api',
            client: 'ci-token',
            image: 'baleen-fixtures:latest',
            fileCount: 2,
            status: 'passed',
            startedAt,
            finishedAt: new Date('2026-03-01T10:10:02Z'),
            wallTimeMs: 602_000,
            totals: { files: 2, passed: 1, flaky: 1 },
          },
        ]);
        const attempts = store.runFiles('run-1');
        assert.equal(attempts.length, 2);
        assert.deepEqual(attempts[0], {
          runId: 'run-1',
          file: 'features/a.feature',
          attempt: 1,
          final: false,
          status: 'timed-out',
          exitCode: null,
          durationMs: 600_000,
          startupMs: 812,
          runMs: 599_000,
          containerId: 'c-1',
          node: 'node-1',
          errorCode: 'TIMED_OUT',
          errorMessage: 'x'.repeat(MAX_ERROR_MESSAGE_CHARS),
          scenarios: { passed: 1, failed: 0, unfinished: 2 },
          pack: null,
          chunk: null,
        });
        assert.equal(attempts[1]?.final, true);
        assert.equal(attempts[1]?.startupMs, null);
        assert.equal(attempts[1]?.pack, 'pack-1');

        const scenarios = store.runScenarios('run-1');
        assert.deepEqual(
          scenarios.map((s) => [s.file, s.line, s.attempt, s.status]),
          [
            ['features/a.feature', 7, 1, 'unfinished'],
            ['features/a.feature', 7, 2, 'passed'],
            ['features/b.feature', 3, 1, 'failed'],
          ],
        );
        assert.equal(scenarios[2]?.errorMessage?.length, MAX_ERROR_MESSAGE_CHARS);
        assert.deepEqual(
          store.runScenarios('run-1', 'features/b.feature').map((s) => s.name),
          ['breaks'],
        );
        assert.deepEqual(store.suites(), ['baleen-fixtures#api']);
        assert.deepEqual(errors, []);
      });
    });

    it('answers empty for what it does not know', () => {
      withHistory((store) => {
        assert.deepEqual(store.recentRuns({ limit: 5 }), []);
        assert.deepEqual(store.runFiles('run-nope'), []);
        assert.deepEqual(store.runScenarios('run-nope'), []);
        assert.equal(store.lastRun('nope'), undefined);
        assert.deepEqual(store.fileEstimates('nope', ['a.feature']), new Map());
        assert.deepEqual(store.scenarioEstimates('nope', 'a.feature'), new Map());
        assert.deepEqual(store.fileHistory('nope', 'a.feature', 5), []);
        assert.deepEqual(store.flakyFiles('nope', { runs: 10 }), []);
        assert.deepEqual(store.suites(), []);
      });
    });

    it('lists recent runs newest first, of one suite or all, unfinished ones without an end', () => {
      withHistory((store) => {
        recordRun(store, { runId: 'run-1', suite: 'a', files: [] });
        recordRun(store, { runId: 'run-2', suite: 'b', files: [], status: 'failed' });
        recordRun(store, { runId: 'run-3', suite: 'a', files: [], status: 'unfinished' });
        assert.deepEqual(
          store.recentRuns({ limit: 10 }).map((run) => [run.runId, run.status]),
          [
            ['run-3', null],
            ['run-2', 'failed'],
            ['run-1', 'passed'],
          ],
        );
        assert.deepEqual(
          store.recentRuns({ suite: 'a', limit: 10 }).map((run) => run.runId),
          ['run-3', 'run-1'],
        );
        assert.deepEqual(
          store.recentRuns({ limit: 1 }).map((run) => run.runId),
          ['run-3'],
        );
        const unfinished = store.recentRuns({ suite: 'a', limit: 1 })[0];
        assert.equal(unfinished?.finishedAt, null);
        assert.equal(unfinished?.wallTimeMs, null);
        assert.equal(unfinished?.totals, null);
        assert.deepEqual(store.suites(), ['a', 'b']);
      });
    });

    it("gives the last finished, not cancelled run with each file's final status and what did not pass", () => {
      withHistory((store) => {
        recordRun(store, {
          runId: 'run-1',
          status: 'failed',
          files: [
            {
              file: 'a.feature',
              attempts: [{ status: 'failed' }, { status: 'failed' }],
              scenarios: [
                { line: 3, status: 'failed', attempt: 1 },
                { line: 9, status: 'passed', attempt: 1 },
                // Failed on the first attempt, passed on the retry: it counts as passed.
                { line: 12, status: 'failed', attempt: 1 },
                { line: 3, status: 'failed', attempt: 2 },
                { line: 9, status: 'passed', attempt: 2 },
                { line: 12, status: 'passed', attempt: 2 },
              ],
            },
            {
              file: 'b.feature',
              attempts: [{ status: 'timed-out' }],
              scenarios: [
                { line: 4, status: 'passed' },
                { line: 8, status: 'unfinished' },
                { line: 10, status: 'skipped' },
                { line: 14, status: 'undefined' },
              ],
            },
            { file: 'c.feature', attempts: [{ status: 'failed' }, { status: 'passed' }] },
          ],
        });
        recordRun(store, { runId: 'run-2', status: 'cancelled', files: [{ file: 'a.feature', attempts: [] }] });
        recordRun(store, {
          runId: 'run-3',
          status: 'unfinished',
          files: [{ file: 'a.feature', attempts: [{ status: 'passed' }] }],
        });
        // An error before any file ran says nothing about which files failed.
        recordRun(store, { runId: 'run-4', status: 'error', files: [] });

        assert.deepEqual(store.lastRun('suite-a'), {
          runId: 'run-1',
          status: 'failed',
          finishedAt: store.recentRuns({ limit: 10 }).find((run) => run.runId === 'run-1')?.finishedAt,
          files: [
            { file: 'a.feature', status: 'failed', failedScenarios: [{ line: 3, name: 'scenario at line 3' }] },
            {
              file: 'b.feature',
              status: 'timed-out',
              failedScenarios: [
                { line: 8, name: 'scenario at line 8' },
                { line: 14, name: 'scenario at line 14' },
              ],
            },
            { file: 'c.feature', status: 'passed', failedScenarios: [] },
          ],
        });
        recordRun(store, { runId: 'run-5', files: [{ file: 'a.feature', attempts: [{ status: 'passed' }] }] });
        assert.equal(store.lastRun('suite-a')?.runId, 'run-5');
        assert.equal(store.lastRun('suite-b'), undefined);
      });
    });

    it("traces a file's final status and duration run by run, newest first", () => {
      withHistory((store) => {
        recordRun(store, {
          runId: 'run-1',
          files: [{ file: 'a.feature', attempts: [{ status: 'passed', durationMs: 100 }] }],
        });
        recordRun(store, {
          runId: 'run-2',
          files: [
            {
              file: 'a.feature',
              attempts: [
                { status: 'failed', durationMs: 900 },
                { status: 'passed', durationMs: 200 },
              ],
            },
          ],
        });
        recordRun(store, {
          runId: 'run-3',
          files: [{ file: 'a.feature', attempts: [{ status: 'cancelled', durationMs: 5 }] }],
        });
        recordRun(store, { runId: 'run-4', files: [{ file: 'b.feature', attempts: [{ status: 'passed' }] }] });
        const history = store.fileHistory('suite-a', 'a.feature', 10);
        assert.deepEqual(
          history.map((entry) => [entry.runId, entry.status, entry.durationMs, entry.attempts]),
          [
            ['run-3', 'cancelled', 5, 1],
            ['run-2', 'passed', 200, 2],
            ['run-1', 'passed', 100, 1],
          ],
        );
        assert.ok(history[0] !== undefined && history[1] !== undefined && history[0].startedAt > history[1].startedAt);
        assert.equal(store.fileHistory('suite-a', 'a.feature', 2).length, 2);
        assert.deepEqual(store.fileHistory('suite-b', 'a.feature', 10), []);
      });
    });

    it('keeps one final attempt per file and run: the one marked final last, and a repeated record updates', () => {
      withHistory((store) => {
        recordRun(store, { runId: 'run-1', files: [], status: 'unfinished' });
        const attempt = { runId: 'run-1', file: 'a.feature', exitCode: 1, durationMs: 10 } as const;
        store.recordFileAttempt({ ...attempt, attempt: 1, final: true, status: 'failed' });
        store.recordFileAttempt({ ...attempt, attempt: 2, final: true, status: 'passed' });
        store.recordFileAttempt({ ...attempt, attempt: 2, final: true, status: 'passed', durationMs: 20 });
        assert.deepEqual(
          store.runFiles('run-1').map((a) => [a.attempt, a.final, a.durationMs]),
          [
            [1, false, 10],
            [2, true, 20],
          ],
        );
      });
    });

    it('drops the records of a run whose start was never recorded, and says so once', () => {
      withHistory((store, errors) => {
        const attempt = { runId: 'run-ghost', file: 'a.feature', final: true, status: 'passed', exitCode: 0 } as const;
        store.recordFileAttempt({ ...attempt, attempt: 1, durationMs: 1 });
        store.flush();
        store.recordFileAttempt({ ...attempt, attempt: 2, durationMs: 1 });
        store.flush();
        assert.deepEqual(store.runFiles('run-ghost'), []);
        assert.equal(errors.length, 1);
        assert.match(errors[0]?.message ?? '', /run-ghost/);
      });
    });

    it("keeps a suite's newest runs and deletes older ones with their rows when a run finishes", () => {
      withHistory(
        (store) => {
          for (let n = 1; n <= 5; n += 1) {
            recordRun(store, {
              runId: `run-${n}`,
              files: [
                {
                  file: n <= 2 ? 'renamed-since.feature' : 'a.feature',
                  attempts: [{ status: 'passed', durationMs: n * 100 }],
                  scenarios: [{ line: 3, name: `named ${n}`, status: 'passed' }],
                },
              ],
            });
          }
          recordRun(store, { runId: 'run-other', suite: 'suite-b', files: [] });
          assert.deepEqual(
            store.recentRuns({ suite: 'suite-a', limit: 10 }).map((run) => run.runId),
            ['run-5', 'run-4', 'run-3'],
          );
          assert.deepEqual(store.runFiles('run-2'), []);
          assert.deepEqual(store.runScenarios('run-2'), []);
          assert.deepEqual(store.fileHistory('suite-a', 'renamed-since.feature', 10), []);
          assert.equal(store.fileEstimates('suite-a', ['a.feature']).get('a.feature')?.samples, 3);
          assert.deepEqual(
            store.recentRuns({ suite: 'suite-b', limit: 10 }).map((run) => run.runId),
            ['run-other'],
          );
        },
        { keepRunsPerSuite: 3 },
      );
    });

    it('keeps 500 runs per suite by default', () => {
      withHistory((store) => {
        for (let n = 1; n <= 503; n += 1) {
          recordRun(store, { runId: `run-${n}`, files: [{ file: 'a.feature', attempts: [{ status: 'passed' }] }] });
        }
        const runs = store.recentRuns({ suite: 'suite-a', limit: 1000 });
        assert.equal(runs.length, 500);
        assert.equal(runs.at(-1)?.runId, 'run-4');
      });
    });
  });
}

describe('HistoryStore on a file, reopened', () => {
  it('keeps everything, and running the migrations again changes nothing', () => {
    withTempDir((dir) => {
      const file = `${dir}/history.sqlite`;
      withStore(file, (store) => {
        recordRun(store, {
          runId: 'run-1',
          files: [{ file: 'a.feature', attempts: [{ status: 'passed' }], scenarios: [{ line: 2, status: 'passed' }] }],
        });
      });
      const schema = (): unknown => {
        const db = new DatabaseConstructor(file, { readonly: true });
        try {
          return {
            version: db.pragma('user_version', { simple: true }),
            journal: db.pragma('journal_mode', { simple: true }),
            objects: db.prepare('SELECT type, name, sql FROM sqlite_schema ORDER BY name').all(),
          };
        } finally {
          db.close();
        }
      };
      const before = schema();
      assert.equal((before as { version: number }).version, MIGRATIONS.length);
      assert.equal((before as { journal: string }).journal, 'wal');
      withStore(file, (store) => {
        assert.deepEqual(
          store.recentRuns({ limit: 5 }).map((run) => run.runId),
          ['run-1'],
        );
        assert.equal(store.runFiles('run-1').length, 1);
        assert.equal(store.runScenarios('run-1').length, 1);
        recordRun(store, { runId: 'run-2', files: [{ file: 'a.feature', attempts: [{ status: 'passed' }] }] });
      });
      assert.deepEqual(schema(), before);
      withStore(file, (store) => assert.equal(store.fileHistory('suite-a', 'a.feature', 5).length, 2));
    });
  });

  it('creates its folder', () => {
    withTempDir((dir) => {
      const store = HistoryStore.open(`${dir}/project/.baleen/history.sqlite`);
      store.close();
      store.close(); // A second close is harmless.
    });
  });
});

describe('HistoryStore given bad numbers', () => {
  it('keeps the rest of the batch: a NaN costs its own value only', () => {
    withStore(':memory:', (store, errors) => {
      recordRun(store, { runId: 'run-1', files: [], status: 'unfinished' });
      store.recordScenario({
        runId: 'run-1',
        file: 'a.feature',
        line: 3,
        name: 'n',
        attempt: 1,
        status: 'passed',
        durationMs: NaN,
      });
      store.recordFileAttempt({
        runId: 'run-1',
        file: 'a.feature',
        attempt: 1,
        final: true,
        status: 'passed',
        exitCode: 0,
        durationMs: Infinity,
        startupMs: NaN,
      });
      store.recordRunFinished({
        runId: 'run-1',
        status: 'passed',
        wallTimeMs: NaN,
        totals: {},
        finishedAt: new Date(Number.NaN),
      });
      assert.deepEqual(errors, []);
      assert.equal(store.runScenarios('run-1')[0]?.durationMs, 0);
      assert.deepEqual(
        store.runFiles('run-1').map((attempt) => [attempt.durationMs, attempt.startupMs]),
        [[0, null]],
      );
      assert.equal(store.lastRun('suite-a')?.runId, 'run-1');
    });
  });
});
