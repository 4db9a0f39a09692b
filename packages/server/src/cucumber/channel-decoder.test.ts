import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ChannelDecoder, type ChannelMessage } from './channel-decoder.js';
import { encodeFrames } from './channel-frames.js';

const MARKER = '\u001ebln0123456789ab:';

function decode(chunks: readonly (Buffer | string)[]): {
  text: string;
  bytes: Buffer;
  messages: ChannelMessage[];
  broken?: string;
} {
  const kept: Buffer[] = [];
  const messages: ChannelMessage[] = [];
  let broken: string | undefined;
  const decoder = new ChannelDecoder(
    MARKER,
    { write: (chunk) => (kept.push(Buffer.from(chunk)), true) },
    { onMessage: (message) => messages.push(message), onBroken: (reason) => (broken = reason) },
  );
  for (const chunk of chunks) decoder.write(chunk);
  decoder.end();
  const bytes = Buffer.concat(kept);
  return { text: bytes.toString('utf8'), bytes, messages, ...(broken === undefined ? {} : { broken }) };
}

/** Every way of cutting a byte stream in two. */
function everySplit(bytes: Buffer): Buffer[][] {
  return Array.from({ length: bytes.length + 1 }, (_, at) => [bytes.subarray(0, at), bytes.subarray(at)]);
}

describe('ChannelDecoder', () => {
  const messages = [{ testRunStarted: { timestamp: { seconds: 1, nanos: 0 } } }, { baleen: { exit: { code: 0 } } }];

  it('reads messages and leaves text as written, wherever the stream is cut', () => {
    const frames = encodeFrames(MARKER, messages).bytes;
    const stream = Buffer.concat([Buffer.from('a step wrote '), frames, Buffer.from('this\nand this\n')]);
    for (const chunks of everySplit(stream)) {
      const decoded = decode(chunks);
      assert.deepEqual(decoded.messages, messages);
      assert.equal(decoded.text, 'a step wrote this\nand this\n', 'a partial line continues after the frames');
      assert.equal(decoded.broken, undefined);
    }
  });

  it('joins a message sent in many frames, even one byte a chunk', () => {
    const big = { attachment: { body: 'x'.repeat(50_000), mediaType: 'text/plain' } };
    const frames = encodeFrames(MARKER, [big], { chunkBytes: 4_000 }).bytes;
    assert.ok(frames.toString('latin1').split(MARKER).length > 12);
    const oneByteChunks = Array.from(frames.subarray(0, 9_000), (byte) => Buffer.from([byte]));
    const decoded = decode([...oneByteChunks, frames.subarray(9_000)]);
    assert.deepEqual(decoded.messages, [big]);
    assert.equal(decoded.text, '');
  });

  it('cuts a message between characters, never inside one (a text log driver would mangle half a character)', () => {
    const wide = { attachment: { body: '€'.repeat(3_000) } };
    const frames = encodeFrames(MARKER, [wide], { chunkBytes: 1_000 }).bytes.toString('latin1').split(MARKER).slice(1);
    assert.ok(frames.length > 8);
    for (const frame of frames) {
      const payload = Buffer.from(frame.replace(/^\d+[+=]/, '').replace(/\n$/, ''), 'latin1');
      assert.equal(Buffer.from(payload.toString('utf8'), 'utf8').equals(payload), true, 'each payload is whole UTF-8');
    }
    assert.deepEqual(decode([encodeFrames(MARKER, [wide], { chunkBytes: 1_000 }).bytes]).messages, [wide]);
  });

  it('keeps text that merely looks like part of a marker, binary bytes and record separators included', () => {
    const text = Buffer.from([0x00, 0x1e, 0x62, 0x6c, 0x6e, 0xff, 0x1e, 0x0a, 0x41, 0x1e, 0x62]);
    for (const chunks of everySplit(Buffer.concat([text, encodeFrames(MARKER, messages).bytes, text]))) {
      const decoded = decode(chunks);
      assert.deepEqual(decoded.messages, messages);
      assert.ok(decoded.bytes.equals(Buffer.concat([text, text])), 'every byte of text, in order');
    }
  });

  it('says the channel broke when a frame goes missing, and still reads what comes after', () => {
    const all = encodeFrames(MARKER, [{ a: 1 }, { b: 2 }, { c: 3 }]).bytes.toString('latin1');
    const [, first, , third] = all.split(MARKER);
    const decoded = decode([`${MARKER}${first ?? ''}${MARKER}${third ?? ''}`]);
    assert.match(decoded.broken ?? '', /frames 1\.\.1 never arrived/);
    assert.deepEqual(decoded.messages, [{ a: 1 }, { c: 3 }]);
  });

  it('says the channel broke when the output ends inside a frame or a message', () => {
    const frames = encodeFrames(MARKER, [{ attachment: { body: 'y'.repeat(9_000) } }]).bytes;
    assert.match(
      decode([frames.subarray(0, frames.length - 5)]).broken ?? '',
      /ended in the middle of a message frame/,
    );
    const firstFrameEnd = frames.indexOf(0x0a) + 1;
    assert.match(decode([frames.subarray(0, firstFrameEnd)]).broken ?? '', /ended in the middle of a message$/);
  });

  it('does not take a garbled frame for a message', () => {
    const decoded = decode([`${MARKER}0={"not json\n`]);
    assert.match(decoded.broken ?? '', /not JSON/);
    assert.deepEqual(decoded.messages, []);
    assert.match(decode([`${MARKER}x={}\n`]).broken ?? '', /no sequence number/);
  });

  it('gives back as text a "frame" that runs on without end, and says so', () => {
    const decoded = decode([`${MARKER}0=`, 'z'.repeat(70_000), '\nafter\n']);
    assert.match(decoded.broken ?? '', /without its end/);
    assert.ok(decoded.text.endsWith('\nafter\n'));
    assert.ok(decoded.text.includes('z'.repeat(1_000)));
  });
});
