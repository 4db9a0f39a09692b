import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { REPEAT_GUARD_MS, watchInterrupts } from './interrupt-watcher.js';

describe('watchInterrupts', () => {
  it('cancels on the first Ctrl-C, ignores the same one delivered twice, and leaves on a real second one', () => {
    let fire: () => void = () => undefined;
    let clock = 0;
    const seen: string[] = [];
    watchInterrupts(
      (handler) => {
        fire = handler;
        return () => undefined;
      },
      { first: () => seen.push('first'), second: () => seen.push('second') },
      () => clock,
    );
    fire();
    clock += 200;
    fire();
    assert.deepEqual(seen, ['first'], 'a repeat within the guard is the same Ctrl-C');
    clock += REPEAT_GUARD_MS;
    fire();
    assert.deepEqual(seen, ['first', 'second']);
  });
});
