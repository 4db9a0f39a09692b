import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RunTotals } from '@baleen/protocol';
import { exitCodeFor } from './exit-code.js';
import type { RunResult } from './run-on-server.js';

function result(status: RunResult['finished']['status'], totals: Partial<RunTotals>): RunResult {
  return {
    runId: 'run-1',
    welcome: { type: 'welcome', protocolVersion: 1, serverId: 's', serverVersion: '0', capacity: 1, engine: 'e' },
    files: [],
    attempts: [],
    messages: [],
    finished: {
      type: 'run-finished',
      runId: 'run-1',
      status,
      wallTimeMs: 1,
      totals: {
        files: 2,
        passed: 0,
        failed: 0,
        timedOut: 0,
        cancelled: 0,
        error: 0,
        oom: 0,
        flaky: 0,
        notRun: 0,
        ...totals,
      },
    },
  };
}

describe('exitCodeFor', () => {
  it('0 only when every file passed', () => {
    assert.equal(exitCodeFor(result('passed', { passed: 2 }), false), 0);
  });
  it('1 when a file failed or timed out', () => {
    assert.equal(exitCodeFor(result('failed', { passed: 1, failed: 1 }), false), 1);
    assert.equal(exitCodeFor(result('failed', { passed: 1, timedOut: 1 }), false), 1);
  });
  it('2 when the run or a file could not run', () => {
    assert.equal(exitCodeFor(result('error', { notRun: 2 }), false), 2);
    assert.equal(exitCodeFor(result('failed', { passed: 1, error: 1 }), false), 2);
  });
  it('2, never 0, for a run that tested nothing', () => {
    assert.equal(exitCodeFor(result('passed', { files: 0 }), false), 2);
  });
  it('130 when cancelled', () => {
    assert.equal(exitCodeFor(result('cancelled', { cancelled: 2 }), true), 130);
  });
  it('flaky files pass unless --fail-on-flaky', () => {
    assert.equal(exitCodeFor(result('passed', { passed: 1, flaky: 1 }), false), 0);
    assert.equal(exitCodeFor(result('passed', { passed: 1, flaky: 1 }), false, { failOnFlaky: true }), 1);
  });
});
