import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FileFinishedMessage } from '@baleen/protocol';
import { fileFinished } from '../testing/file-finished.js';
import { startupAdvice } from './startup-advice.js';

function finished(index: number, startupMs: number, runMs: number, pack?: number): FileFinishedMessage {
  return fileFinished(index, {
    durationMs: startupMs + runMs,
    startupMs,
    runMs,
    ...(pack === undefined ? {} : { pack: { files: pack } }),
  });
}

describe('startupAdvice', () => {
  const eight = Array.from({ length: 8 }, (_, index) => finished(index, 7_000, 1_000));

  it('says how much of each file is start-up, and what --pack auto would give', () => {
    // 8 files of 7 s start-up and 1 s of scenarios on 2 slots: 32 s now; packed, 8 s / 2 + 7 s = 11 s.
    const lines = startupAdvice(eight, { slots: 2, wallTimeMs: 32_000, packed: false });
    assert.match(lines[0] ?? '', /^start-up is 88% of each file's time \(7\.0s of 8\.0s\)/);
    assert.match(
      lines[1] ?? '',
      /^--pack auto would run these 8 files in about 2 containers: an estimated 11\.0s instead of 32\.0s/,
    );
  });

  it('says "1 container", not "1 containers", when one slot would do', () => {
    const two = eight.slice(0, 2);
    const lines = startupAdvice(two, { slots: 1, wallTimeMs: 16_000, packed: false });
    assert.match(lines[1] ?? '', /^--pack auto would run these 2 files in about 1 container: /);
  });

  it('says nothing when start-up is not most of a file’s time', () => {
    const quick = Array.from({ length: 8 }, (_, index) => finished(index, 1_000, 5_000));
    assert.deepEqual(startupAdvice(quick, { slots: 2, wallTimeMs: 24_000, packed: false }), []);
  });

  it('does not propose packing to a run that packed, nor one packing would not speed up', () => {
    assert.equal(startupAdvice(eight, { slots: 2, wallTimeMs: 32_000, packed: true }).length, 1);
    assert.equal(startupAdvice(eight, { slots: 8, wallTimeMs: 8_000, packed: false }).length, 1);
  });
});
