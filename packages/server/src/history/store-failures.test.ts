import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import DatabaseConstructor from 'better-sqlite3';
import { holdWriteLock, recordRun, withTempDir } from '../testing/history-runs.js';
import { HistoryStore } from './history-store.js';
import { HistoryUnavailableError, type HistoryUnavailableReason } from './history-unavailable-error.js';

function assertOpenFails(file: string, reason: HistoryUnavailableReason, advice: RegExp): void {
  assert.throws(
    () => HistoryStore.open(file),
    (error: unknown) => {
      assert.ok(error instanceof HistoryUnavailableError, String(error));
      assert.equal(error.reason, reason);
      assert.equal(error.file, file);
      assert.ok(error.message.includes(file), error.message);
      assert.match(error.message, advice);
      return true;
    },
  );
}

/**
 * Makes `paths` unwritable and returns how to undo it, or undefined where this machine cannot: root ignores file
 * modes, so as root the immutable attribute (chattr, on file systems that have it) stands in for them.
 */
function makeReadOnly(paths: string[]): (() => void) | undefined {
  if (process.getuid?.() !== 0) {
    for (const p of paths) chmodSync(p, 0o555);
    return () => paths.forEach((p) => chmodSync(p, 0o755));
  }
  const chattr = (flag: string): boolean =>
    paths.every((p) => spawnSync('chattr', [flag, p], { stdio: 'ignore' }).status === 0);
  if (chattr('+i')) return () => chattr('-i');
  chattr('-i');
  return undefined;
}

describe('HistoryStore.open', () => {
  it('refuses a file that is not a database, saying to move it away', () => {
    withTempDir((dir) => {
      const file = path.join(dir, 'history.sqlite');
      writeFileSync(file, 'this is not a database, '.repeat(200));
      assertOpenFails(file, 'corrupt', /not a database.*move it away/);
    });
  });

  it('refuses a file written by a newer Baleen', () => {
    withTempDir((dir) => {
      const file = path.join(dir, 'history.sqlite');
      const db = new DatabaseConstructor(file);
      db.pragma('user_version = 99');
      db.close();
      assertOpenFails(file, 'newer-schema', /schema 99.*upgrade Baleen/);
    });
  });

  it('refuses a folder, or a place where no folder can be made', () => {
    withTempDir((dir) => {
      const folder = path.join(dir, 'history.sqlite');
      mkdirSync(folder);
      assertOpenFails(folder, 'cannot-open', /path names a file/);
      writeFileSync(path.join(dir, 'a-file'), '');
      assertOpenFails(path.join(dir, 'a-file', 'history.sqlite'), 'cannot-open', /path names a file/);
    });
  });

  it('refuses a read-only file, saying what access it needs', (t) => {
    withTempDir((dir) => {
      const file = path.join(dir, 'history.sqlite');
      HistoryStore.open(file).close();
      const undo = makeReadOnly([file]);
      if (undo === undefined) {
        t.skip('this machine cannot make a file read-only for root');
        return;
      }
      try {
        assertOpenFails(file, 'read-only', /write access/);
      } finally {
        undo();
      }
    });
  });

  it('refuses a read-only folder', (t) => {
    withTempDir((dir) => {
      const folder = path.join(dir, 'state');
      mkdirSync(folder);
      const undo = makeReadOnly([folder]);
      if (undo === undefined) {
        t.skip('this machine cannot make a folder read-only for root');
        return;
      }
      try {
        assertOpenFails(path.join(folder, 'history.sqlite'), 'cannot-open', /write to it and to its folder/);
      } finally {
        undo();
      }
    });
  });
});

describe('HistoryStore after a failed write', () => {
  it('reports it once, keeps answering reads, and writes again when it can', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'baleen-history-'));
    const file = path.join(dir, 'history.sqlite');
    const errors: Error[] = [];
    const store = HistoryStore.open(file, { onError: (error) => errors.push(error), busyTimeoutMs: 50 });
    try {
      recordRun(store, { runId: 'run-1', files: [{ file: 'a.feature', attempts: [{ status: 'failed' }] }] });
      const { released } = await holdWriteLock(file, 2500);
      recordRun(store, { runId: 'run-2', files: [{ file: 'a.feature', attempts: [{ status: 'passed' }] }] });
      recordRun(store, { runId: 'run-3', files: [{ file: 'a.feature', attempts: [{ status: 'passed' }] }] });
      assert.equal(errors.length, 1);
      assert.ok(errors[0] instanceof HistoryUnavailableError);
      assert.equal(errors[0].reason, 'locked');
      assert.match(errors[0].message, /history\.sqlite: 3 history records not written: database is locked/);
      assert.deepEqual({ failed: store.stats().failedFlushes, lost: store.stats().lostWrites }, { failed: 2, lost: 6 });
      // Reads go on with what the file holds.
      assert.equal(store.lastRun('suite-a')?.runId, 'run-1');
      assert.equal(store.fileEstimates('suite-a', ['a.feature']).get('a.feature')?.samples, 1);
      await released;
      recordRun(store, { runId: 'run-4', files: [{ file: 'a.feature', attempts: [{ status: 'passed' }] }] });
      assert.equal(store.lastRun('suite-a')?.runId, 'run-4');
      assert.equal(errors.length, 1);
    } finally {
      store.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('HistoryStore after close', () => {
  it('drops records, answers reads with nothing, and says so once rather than throw', () => {
    const errors: Error[] = [];
    const store = HistoryStore.open(':memory:', { onError: (error) => errors.push(error) });
    recordRun(store, { runId: 'run-1', files: [{ file: 'a.feature', attempts: [{ status: 'passed' }] }] });
    store.close();
    recordRun(store, { runId: 'run-2', files: [{ file: 'a.feature', attempts: [{ status: 'passed' }] }] });
    assert.deepEqual(store.recentRuns({ limit: 5 }), []);
    assert.equal(store.lastRun('suite-a'), undefined);
    assert.deepEqual(store.fileEstimates('suite-a', ['a.feature']), new Map());
    assert.equal(errors.length, 1);
    assert.match(errors[0]?.message ?? '', /:memory:: a history query failed/);
  });
});
