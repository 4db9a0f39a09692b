import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OutputCollector } from './output-collector.js';

describe('OutputCollector', () => {
  it('keeps everything under the cap, unmarked', () => {
    const out = new OutputCollector('stdout', 100);
    out.write(Buffer.from('hello '));
    out.write('world');
    assert.deepEqual(out.result(), { text: 'hello world', truncated: false, totalBytes: 11 });
  });

  it('keeps the head and the tail past the cap, with a visible marker counting what was dropped', () => {
    const out = new OutputCollector('stderr', 20);
    for (let i = 0; i < 100; i += 1) out.write(`${String(i).padStart(3, '0')}\n`);
    const result = out.result();
    assert.equal(result.truncated, true);
    assert.equal(result.totalBytes, 400);
    assert.ok(result.text.startsWith('000\n001\n00'), result.text);
    assert.ok(result.text.endsWith('7\n098\n099\n'), result.text);
    assert.match(
      result.text,
      /\[baleen: 380 bytes of stderr omitted here; kept the first 10 and the last 10 of 400 bytes\]/,
    );
  });

  it('bounds memory for one huge chunk', () => {
    const out = new OutputCollector('stdout', 10);
    out.write(Buffer.alloc(1_000_000, 'x'));
    out.write('END');
    const result = out.result();
    assert.ok(result.text.endsWith('xxEND'));
    assert.equal(result.totalBytes, 1_000_003);
    assert.ok(result.text.length < 200);
  });

  it('shows a long run of binary bytes as a count, and keeps short ones, tabs, newlines and colours', () => {
    const out = new OutputCollector('stdout', 20_000);
    out.write(
      Buffer.concat([
        Buffer.from('before\n'),
        Buffer.alloc(5000, 0),
        Buffer.from('\tafter \x1b[31mred\x1b[0m \x00\x01\n'),
      ]),
    );
    const { text, totalBytes } = out.result();
    assert.equal(totalBytes, 7 + 5000 + 23);
    assert.equal(text, 'before\n[baleen: 5000 binary bytes not shown]\tafter \x1b[31mred\x1b[0m \x00\x01\n');
  });
});
