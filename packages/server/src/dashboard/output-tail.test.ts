import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OutputTail } from './output-tail.js';

test('keeps the last maxChars of what was appended and counts what it dropped', () => {
  const tail = new OutputTail(10);
  tail.append('hello ');
  tail.append('world, ');
  tail.append('again');
  assert.equal(tail.text(), 'rld, again');
  assert.equal(tail.droppedChars, 'hello wo'.length);
  tail.append('x'.repeat(25));
  assert.equal(tail.text(), 'x'.repeat(10));
  // Everything appended (18 + 25 characters) but the 10 kept.
  assert.equal(tail.droppedChars, 18 + 25 - 10);
});

test('a version that moves with every append', () => {
  const tail = new OutputTail(4);
  const before = tail.version;
  tail.append('');
  assert.equal(tail.version, before);
  tail.append('a');
  assert.ok(tail.version > before);
});
