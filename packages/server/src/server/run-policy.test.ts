import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { unsafePath } from './run-policy.js';

describe('run policy', () => {
  it('refuses absolute paths and paths that climb out of the work dir', () => {
    assert.equal(unsafePath('features/a.feature'), false);
    assert.equal(unsafePath(`edge/odd names/spaces; $(touch pwned) 'quotes' & more.feature`), false);
    assert.equal(unsafePath('/etc/passwd'), true);
    assert.equal(unsafePath('../secrets.feature'), true);
    assert.equal(unsafePath('features/../../x.feature'), true);
    assert.equal(unsafePath('features/..hidden.feature'), false);
  });
});
