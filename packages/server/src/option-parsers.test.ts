import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidArgumentError } from 'commander';
import { collect, nonNegativeInt, port, positiveInt, positiveNumber } from './option-parsers.js';

test('positiveInt takes whole numbers from 1 and refuses the rest in commander’s own error', () => {
  assert.equal(positiveInt('4'), 4);
  for (const bad of ['0', '-1', '1.5', 'four', '']) {
    assert.throws(() => positiveInt(bad), InvalidArgumentError, bad);
  }
});

test('nonNegativeInt takes 0; positiveNumber takes fractions but not 0', () => {
  assert.equal(nonNegativeInt('0'), 0);
  assert.throws(() => nonNegativeInt('-1'), /0 or more/);
  assert.equal(positiveNumber('1.5'), 1.5);
  assert.throws(() => positiveNumber('0'), /positive number/);
  assert.throws(() => positiveNumber('Infinity'), /positive number/);
});

test('port takes 0 to 65535', () => {
  assert.equal(port('0'), 0);
  assert.equal(port('65535'), 65_535);
  assert.throws(() => port('65536'), /0-65535/);
});

test('collect gathers a repeated flag in order', () => {
  assert.deepEqual(collect('B=2', collect('A=1', [])), ['A=1', 'B=2']);
});
