import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cell } from './step-summary.js';

describe('step summary cells', () => {
  it('keep a path with |, < or a newline inside its cell, as text', () => {
    assert.equal(cell('a|b<script>\nc_d.feature'), 'a\\|b&lt;script&gt; c\\_d.feature');
  });
});
