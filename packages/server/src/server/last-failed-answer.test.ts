import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { recordRun, withStore } from '../testing/history-runs.js';
import { lastFailedAnswer } from './last-failed-answer.js';

const query = { type: 'last-failed-query', queryRef: 'q1', image: 'registry.example/app-tests:pr-7' } as const;

describe('lastFailedAnswer', () => {
  it('names the files that did not pass, with their failed scenarios, of the asking tenant’s own last run', () => {
    withStore(':memory:', (store) => {
      recordRun(store, {
        runId: 'run-a',
        suite: 'registry.example/app-tests',
        client: 'tenant-a',
        files: [
          { file: 'a.feature', attempts: [{ status: 'passed' }] },
          {
            file: 'b.feature',
            attempts: [{ status: 'failed' }],
            scenarios: [
              { line: 3, status: 'passed' },
              { line: 9, name: 'breaks', status: 'failed' },
            ],
          },
          { file: 'c.feature', attempts: [{ status: 'timed-out' }] },
        ],
      });
      // A later run of the same suite by another tenant: never part of tenant-a's answer.
      recordRun(store, {
        runId: 'run-b',
        suite: 'registry.example/app-tests',
        client: 'tenant-b',
        files: [{ file: 'secret.feature', attempts: [{ status: 'failed' }] }],
      });
      const answer = lastFailedAnswer(query, (suite) => store.lastRun(suite, 'tenant-a'));
      assert.equal(answer.suite, 'registry.example/app-tests', 'the suite defaults to the image’s repository');
      assert.equal(answer.run?.runId, 'run-a');
      assert.equal(answer.run?.fileCount, 3);
      assert.deepEqual(answer.run?.files, [
        { file: 'b.feature', status: 'failed', failedScenarios: [{ line: 9, name: 'breaks' }] },
        { file: 'c.feature', status: 'timed-out', failedScenarios: [] },
      ]);

      const other = lastFailedAnswer(query, (suite) => store.lastRun(suite, 'tenant-c'));
      assert.deepEqual(other, { type: 'last-failed-answer', queryRef: 'q1', suite: 'registry.example/app-tests' });
      assert.equal(lastFailedAnswer({ ...query, suite: 'other' }, (suite) => store.lastRun(suite)).run, undefined);
    });
  });
});
