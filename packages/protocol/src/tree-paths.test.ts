import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSafeRelativePath, symlinkInsideTree } from './tree-paths.js';

describe('paths inside a tree', () => {
  it('accepts only normalised relative paths inside the tree', () => {
    for (const good of ['a.txt', 'features/x.feature', 'odd name; $(x).feature'])
      assert.ok(isSafeRelativePath(good), good);
    for (const bad of ['', '/etc/passwd', '../up', 'a/../../up', 'a/./b', 'a//b', 'a\\b', 'nul\0', '.']) {
      assert.ok(!isSafeRelativePath(bad), bad);
    }
  });

  it('allows a symlink only when it resolves inside the tree', () => {
    assert.ok(symlinkInsideTree('docs/link', '../probe.txt'));
    assert.ok(symlinkInsideTree('link', 'features/x.feature'));
    assert.ok(!symlinkInsideTree('link', '/etc'));
    assert.ok(!symlinkInsideTree('docs/link', '../../outside'));
  });

  it('takes test file names as they are, shell characters and all, but never out of the work dir', () => {
    assert.ok(isSafeRelativePath(`edge/odd names/spaces; $(touch pwned) 'quotes' & more.feature`));
    assert.ok(isSafeRelativePath('features/..hidden.feature'));
    assert.ok(!isSafeRelativePath('features/../../x.feature'));
    assert.ok(!isSafeRelativePath('./features/a.feature'), 'not normalised');
  });
});
