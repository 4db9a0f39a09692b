import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { frame } from '../../testing/docker-frame.js';
import { StreamDemuxer } from './stream-demuxer.js';

function sink() {
  const parts: string[] = [];
  return { parts, write: (chunk: Buffer | string) => (parts.push(chunk.toString()), true) };
}

describe('StreamDemuxer', () => {
  it('splits frames into stdout and stderr, whatever the chunk boundaries', () => {
    const stream = Buffer.concat([
      frame(1, 'out one\n'),
      frame(2, 'err one\n'),
      frame(1, 'out two\n'),
      frame(0, 'stdin'),
    ]);
    for (let size = 1; size <= stream.length; size += 1) {
      const out = sink();
      const err = sink();
      const demuxer = new StreamDemuxer(out, err);
      for (let at = 0; at < stream.length; at += size) demuxer.write(stream.subarray(at, at + size));
      assert.equal(out.parts.join(''), 'out one\nout two\n', `chunk size ${size}`);
      assert.equal(err.parts.join(''), 'err one\n', `chunk size ${size}`);
    }
  });
});
