import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { frame } from '../testing/docker-frame.js';
import type { OutputSink } from './container-backend.js';
import { OutputCapture } from './output-capture.js';

const LOG = Buffer.concat([
  frame(1, 'out one\n'),
  frame(2, 'err one\n'),
  frame(1, 'out two\n'),
  frame(2, 'err twö\n'),
  frame(1, 'out three\n'),
]);

describe('OutputCapture', () => {
  it('splits a multiplexed stream into stdout and stderr', () => {
    const capture = new OutputCapture(1024, undefined);
    capture.write(LOG);
    capture.end();
    const { stdout, stderr } = capture.result();
    assert.equal(stdout.text, 'out one\nout two\nout three\n');
    assert.equal(stderr.text, 'err one\nerr twö\n');
  });

  it('completes a live read cut anywhere with a whole read, delivering each byte once, in order', () => {
    for (let cut = 0; cut <= LOG.length; cut += 1) {
      const seen: Buffer[] = [];
      const capture = new OutputCapture(1024, (kept: OutputSink) => ({
        write: (chunk) => (seen.push(Buffer.from(chunk)), kept.write(chunk)),
        end: () => undefined,
      }));
      capture.write(LOG.subarray(0, cut));
      capture.replay();
      capture.write(LOG);
      capture.end();
      const { stdout, stderr } = capture.result();
      assert.equal(stdout.text, 'out one\nout two\nout three\n', `cut at ${cut}`);
      assert.equal(stderr.text, 'err one\nerr twö\n', `cut at ${cut}`);
      assert.equal(
        Buffer.concat(seen).toString(),
        'err one\nerr twö\n',
        `the filter saw each stderr byte once (cut at ${cut})`,
      );
    }
  });

  it('settles the filter once, and takes nothing after the end', () => {
    let ends = 0;
    const capture = new OutputCapture(1024, (kept: OutputSink) => ({
      write: (chunk) => kept.write(chunk),
      end: () => void (ends += 1),
    }));
    capture.write(frame(2, 'before\n'));
    capture.end();
    capture.end();
    capture.write(frame(2, 'after\n'));
    assert.equal(ends, 1);
    assert.equal(capture.result().stderr.text, 'before\n');
  });
});
