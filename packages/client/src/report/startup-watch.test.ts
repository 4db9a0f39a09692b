import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RunEvent } from '../run/run-on-server.js';
import { fileFinished } from '../testing/file-finished.js';
import { StartupWatch } from './startup-watch.js';

const finished = (fileIndex: number, startupMs: number, runMs: number) =>
  ({
    type: 'file-finished',
    message: fileFinished(fileIndex, { durationMs: startupMs + runMs, startupMs, runMs }),
  }) satisfies RunEvent;

describe('StartupWatch', () => {
  it('says once, after a slot’s worth of files, that start-up dominates, and what the rest will cost', () => {
    const watch = new StartupWatch(20, 2, false);
    assert.equal(watch.onEvent(finished(0, 45_000, 1_000)), undefined, 'one file is not yet a pattern');
    const line = watch.onEvent(finished(1, 44_000, 1_500));
    assert.match(line ?? '', /^start-up is 98% of each file's time so far \(45\.0s of 46\.0s\); 18 files left/);
    assert.match(line ?? '', /--pack auto/);
    assert.equal(watch.onEvent(finished(2, 45_000, 1_000)), undefined, 'said once');
  });

  it('says nothing when scenarios are most of the time, start-up is short anyway, the run is packed, or near its end', () => {
    const quick = new StartupWatch(20, 2, false);
    quick.onEvent(finished(0, 1_000, 50));
    assert.equal(quick.onEvent(finished(1, 1_000, 50)), undefined, 'a second of start-up is not worth a word');
    const busy = new StartupWatch(20, 2, false);
    busy.onEvent(finished(0, 1_000, 9_000));
    assert.equal(busy.onEvent(finished(1, 1_000, 9_000)), undefined);
    const packed = new StartupWatch(20, 2, true);
    packed.onEvent(finished(0, 45_000, 1_000));
    assert.equal(packed.onEvent(finished(1, 45_000, 1_000)), undefined);
    const late = new StartupWatch(5, 2, false);
    late.onEvent(finished(0, 45_000, 1_000));
    assert.equal(late.onEvent(finished(1, 45_000, 1_000)), undefined, '3 files left on 2 slots: too late to matter');
  });
});
