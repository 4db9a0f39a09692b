import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classifyOutcome, endingOf, stoppedFromOutside, type ContainerEnding } from './classify-outcome.js';

const exited = (exitCode: number | null, oomKilled = false) => ({ end: 'exited' as const, exitCode, oomKilled });
const interrupted = { end: 'interrupted' as const, exitCode: 137, oomKilled: false };
const calm = { deadlineAborted: false, runAborted: false, engineLost: false };

describe('classifyOutcome: every way a container can end', () => {
  const table: [
    string,
    Parameters<typeof classifyOutcome>[0],
    Partial<Parameters<typeof classifyOutcome>[1]>,
    ContainerEnding,
  ][] = [
    ['exit 0', exited(0), {}, { kind: 'exited', exitCode: 0 }],
    ['exit 1', exited(1), {}, { kind: 'exited', exitCode: 1 }],
    ['killed by its memory limit', exited(137, true), {}, { kind: 'oom', exitCode: 137 }],
    ['SIGKILLed with the engine gone', exited(137), { engineLost: true }, { kind: 'engine-lost', exitCode: 137 }],
    ['SIGTERMed with the engine gone', exited(143), { engineLost: true }, { kind: 'engine-lost', exitCode: 143 }],
    ['SIGKILLed with the engine there (a person, a step)', exited(137), {}, { kind: 'exited', exitCode: 137 }],
    ['exit 1 while the engine went away', exited(1), { engineLost: true }, { kind: 'exited', exitCode: 1 }],
    ['stopped at its deadline', interrupted, { deadlineAborted: true }, { kind: 'timed-out' }],
    ['stopped by a cancelled run', interrupted, { runAborted: true }, { kind: 'cancelled' }],
    [
      'deadline and cancel at once: the cancel wins',
      interrupted,
      { deadlineAborted: true, runAborted: true },
      { kind: 'cancelled' },
    ],
  ];
  for (const [name, outcome, context, expected] of table) {
    it(name, () => assert.deepEqual(classifyOutcome(outcome, { ...calm, ...context }), expected));
  }

  it('looks at the engine only for an exit it did not ask for', () => {
    assert.equal(stoppedFromOutside(exited(137)), true);
    assert.equal(stoppedFromOutside(exited(143)), true);
    assert.equal(stoppedFromOutside(exited(1)), false);
    assert.equal(stoppedFromOutside(exited(137, true)), false);
    assert.equal(stoppedFromOutside(interrupted), false);
  });

  it('says what each ending means, with what to do', () => {
    const context = {
      memoryBytes: 512 * 1024 * 1024,
      timeoutMs: 5000,
      engine: 'unix:///x.sock',
      cancelReason: 'Ctrl-C',
    };
    assert.match(endingOf({ kind: 'oom', exitCode: 137 }, context).error?.message ?? '', /512 MiB \(raise --memory/);
    assert.match(endingOf({ kind: 'timed-out' }, context).error?.message ?? '', /after 5 s.*raise --timeout/);
    assert.equal(endingOf({ kind: 'engine-lost', exitCode: 143 }, context).error?.code, 'DOCKER_UNREACHABLE');
    assert.match(endingOf({ kind: 'cancelled' }, context).error?.message ?? '', /Ctrl-C/);
  });
});
