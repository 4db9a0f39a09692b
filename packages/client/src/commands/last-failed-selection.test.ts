import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LastFailedAnswerMessage } from '@baleen/protocol';
import { selectLastFailed } from './last-failed-selection.js';

const answer: LastFailedAnswerMessage = {
  type: 'last-failed-answer',
  queryRef: 'q',
  suite: 'app',
  run: {
    runId: 'run-1',
    status: 'failed',
    finishedAt: '2026-12-01T10:00:00.000Z',
    fileCount: 5,
    files: [
      {
        file: 'a.feature',
        status: 'failed',
        failedScenarios: [
          { line: 12, name: 'x' },
          { line: 4, name: 'y' },
          { line: 12, name: 'x (example 2)' },
        ],
      },
      { file: 'b.feature', status: 'timed-out', failedScenarios: [{ line: 3, name: 'z' }] },
      { file: 'c.feature', status: 'failed', failedScenarios: [] },
    ],
  },
};

describe('selectLastFailed', () => {
  it('cucumber: the failed scenarios of a failed file by line; a file that timed out or named none, whole', () => {
    const selection = selectLastFailed(answer, { cucumber: true, where: 'x' });
    assert.deepEqual(selection.targets, ['a.feature:4', 'a.feature:12', 'b.feature', 'c.feature']);
    assert.equal(selection.nothing, undefined);
    assert.match(selection.said, /^--last-failed: 3 of 5 files from run run-1 of suite 'app'/);
  });

  it('any other runner: whole files', () => {
    assert.deepEqual(selectLastFailed(answer, { cucumber: false, where: 'x' }).targets, [
      'a.feature',
      'b.feature',
      'c.feature',
    ]);
  });

  it('says why there is nothing: no run, or a run where everything passed', () => {
    const none = selectLastFailed(
      { type: 'last-failed-answer', queryRef: 'q', suite: 'app' },
      { cucumber: true, where: 'ws://s' },
    );
    assert.equal(none.nothing, "no finished run of suite 'app' in ws://s — nothing to rerun");
    const passed = selectLastFailed({ ...answer, run: { ...answer.run!, files: [] } }, { cucumber: true, where: 'x' });
    assert.match(passed.nothing ?? '', /^every file passed in run run-1/);
    assert.deepEqual(passed.targets, []);
  });
});
