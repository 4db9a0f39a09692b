import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { orderFiles } from './order-files.js';
import { TimingHistory } from './timing-history.js';

const files = ['a', 'b', 'c', 'd'];

describe('orderFiles', () => {
  it('timing: longest first, files without history before all of them', () => {
    const known: Record<string, number> = { a: 100, b: 5_000, d: 900 };
    assert.deepEqual(orderFiles(files, 'timing', { durationOf: (f) => known[f], seed: 1 }), ['c', 'b', 'd', 'a']);
  });

  it('random: the same seed gives the same order, another seed another', () => {
    const many = Array.from({ length: 20 }, (_, i) => `f${i}`);
    const once = orderFiles(many, 'random', { durationOf: () => undefined, seed: 42 });
    assert.deepEqual(orderFiles(many, 'random', { durationOf: () => undefined, seed: 42 }), once);
    assert.notDeepEqual(orderFiles(many, 'random', { durationOf: () => undefined, seed: 43 }), once);
    assert.deepEqual([...once].sort(), [...many].sort());
  });

  it('given: unchanged', () => {
    assert.deepEqual(orderFiles(files, 'given', { durationOf: () => 1, seed: 1 }), files);
  });
});

describe('TimingHistory', () => {
  it('remembers smoothed durations per image across loads', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'baleen-timings-'));
    try {
      const file = path.join(dir, '.baleen/timings.json');
      const history = await TimingHistory.load(file);
      assert.equal(history.durationOf('img', 'a'), undefined);
      history.record('img', 'a', 1000);
      history.record('img', 'a', 2000);
      history.record('other', 'a', 10);
      await history.save();
      const again = await TimingHistory.load(file);
      assert.equal(again.durationOf('img', 'a'), 1500);
      assert.equal(again.durationOf('other', 'a'), 10);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
