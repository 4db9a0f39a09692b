import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { colorsFor, isDumbTerminal, outputWidth } from './colors.js';

const terminal = (columns: number) => ({ isTTY: true, columns }) as unknown as NodeJS.WriteStream;
const pipe = { isTTY: false } as unknown as NodeJS.WriteStream;

describe('terminal abilities', () => {
  it('colours a terminal, but not TERM=dumb, NO_COLOR or a pipe; FORCE_COLOR forces it', () => {
    assert.equal(colorsFor(terminal(80), {}).isColorSupported, true);
    assert.equal(colorsFor(terminal(80), { TERM: 'dumb' }).isColorSupported, false);
    assert.equal(colorsFor(terminal(80), { NO_COLOR: '1' }).isColorSupported, false);
    assert.equal(colorsFor(pipe, {}).isColorSupported, false);
    assert.equal(colorsFor(pipe, { FORCE_COLOR: '1' }).isColorSupported, true);
    assert.equal(isDumbTerminal({ TERM: 'dumb' }), true);
  });

  it('knows the width of a terminal, else COLUMNS, else none', () => {
    assert.equal(outputWidth(terminal(60), {}), 60);
    assert.equal(outputWidth(pipe, { COLUMNS: '72' }), 72);
    assert.equal(outputWidth(pipe, {}), undefined);
  });
});
