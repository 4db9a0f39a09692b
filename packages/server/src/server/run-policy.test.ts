import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { imageAllowed, unsafePath } from './run-policy.js';

describe('run policy', () => {
  it('allows images by pattern', () => {
    assert.equal(imageAllowed('anything:1', []), true);
    assert.equal(imageAllowed('baleen-fixtures:latest', ['baleen-*']), true);
    assert.equal(imageAllowed('registry.local/team/runner:2', ['registry.local/team/*']), true);
    assert.equal(imageAllowed('alpine:3', ['baleen-*', 'registry.local/*']), false);
    assert.equal(imageAllowed('baleenXfixtures', ['baleen.fixtures']), false, 'dots are literal');
  });

  it('refuses absolute paths and paths that climb out of the work dir', () => {
    assert.equal(unsafePath('features/a.feature'), false);
    assert.equal(unsafePath(`edge/odd names/spaces; $(touch pwned) 'quotes' & more.feature`), false);
    assert.equal(unsafePath('/etc/passwd'), true);
    assert.equal(unsafePath('../secrets.feature'), true);
    assert.equal(unsafePath('features/../../x.feature'), true);
    assert.equal(unsafePath('features/..hidden.feature'), false);
  });
});
