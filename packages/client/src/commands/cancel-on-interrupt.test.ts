import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pc from 'picocolors';
import type { LiveView } from '../report/live-view.js';
import { cancelOnInterrupt } from './cancel-on-interrupt.js';
import { REPEAT_GUARD_MS } from './interrupt-watcher.js';
import type { CommandIo } from './test-options.js';

class Exited extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

function harness(server: string | undefined) {
  let fire: () => void = () => undefined;
  let removed = false;
  const stderr: string[] = [];
  const notes: string[] = [];
  const io = {
    stdout: process.stdout,
    stderr: { write: (text: string) => stderr.push(text) } as unknown as NodeJS.WriteStream,
    cwd: '/',
    onInterrupt: (handler: () => void) => {
      fire = handler;
      return () => {
        removed = true;
      };
    },
  } satisfies CommandIo;
  const view: LiveView = { onEvent: () => undefined, note: (line) => notes.push(line), stop: () => undefined };
  const cancellation = cancelOnInterrupt(io, view, pc.createColors(false), server, (code) => {
    throw new Exited(code);
  });
  return { cancellation, fire: () => fire(), stderr, notes, removed: () => removed };
}

const started = (fileIndex: number, containerId: string) =>
  ({
    type: 'file-started',
    message: { type: 'file-started', runId: 'run-9', fileIndex, file: `f${fileIndex}`, attempt: 1, containerId },
  }) as const;

describe('cancelOnInterrupt', () => {
  it('cancels on the first Ctrl-C and says it is removing the run’s containers', () => {
    const { cancellation, fire, notes } = harness(undefined);
    assert.equal(cancellation.interrupted(), false);
    fire();
    assert.equal(cancellation.signal.aborted, true);
    assert.equal(cancellation.interrupted(), true);
    assert.match(notes[0] ?? '', /cancelling: stopping and removing this run’s containers/);
  });

  it('on a second Ctrl-C exits 130 naming how many containers may be left and that the server removes them', async () => {
    const { cancellation, fire, stderr } = harness('ws://ci:7000');
    cancellation.onEvent({
      type: 'run-accepted',
      message: { type: 'run-accepted', runRef: 'r', runId: 'run-9', fileCount: 3 },
    });
    cancellation.onEvent(started(0, 'c1'));
    cancellation.onEvent(started(1, 'c2'));
    // Two files of one pack share a container: it is counted once.
    cancellation.onEvent(started(2, 'c2'));
    fire();
    await new Promise((resolve) => setTimeout(resolve, REPEAT_GUARD_MS + 50));
    assert.throws(fire, (error: unknown) => error instanceof Exited && error.code === 130);
    assert.match(stderr.join(''), /2 containers may be left: the server removes them \(run run-9\)/);
  });

  it('a file that finished is no longer counted, and an embedded run names the next local run as the sweeper', async () => {
    const { cancellation, fire, stderr } = harness(undefined);
    cancellation.onEvent(started(0, 'c1'));
    cancellation.onEvent(started(1, 'c2'));
    cancellation.onEvent({
      type: 'file-finished',
      message: { fileIndex: 1 } as never,
    });
    fire();
    await new Promise((resolve) => setTimeout(resolve, REPEAT_GUARD_MS + 50));
    assert.throws(fire, Exited);
    assert.match(stderr.join(''), /1 container may be left: the next baleen run on this machine removes them/);
  });

  it('stop removes the Ctrl-C handler', () => {
    const { cancellation, removed } = harness(undefined);
    cancellation.stop();
    assert.equal(removed(), true);
  });
});
