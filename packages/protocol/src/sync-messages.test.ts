import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { syncEntrySchema, treeHashOf, type SyncEntry } from './sync-messages.js';

const file = (path: string, hash = 'a'.repeat(64)): Extract<SyncEntry, { kind: 'file' }> => ({
  kind: 'file',
  path,
  hash,
  size: 1,
  executable: false,
});

describe('workspace sync messages', () => {
  it('refuses a symlink out of the tree', () => {
    assert.equal(syncEntrySchema.safeParse({ kind: 'symlink', path: 'l', target: '/etc' }).success, false);
  });

  it('names a tree by its entries whatever their order, and any change makes another name', () => {
    const tree = [file('b.txt'), file('a.txt')];
    assert.equal(treeHashOf(tree), treeHashOf([...tree].reverse()));
    assert.notEqual(treeHashOf(tree), treeHashOf([file('b.txt'), file('a.txt', 'b'.repeat(64))]));
    assert.notEqual(treeHashOf(tree), treeHashOf([file('b.txt'), { ...file('a.txt'), executable: true }]));
    assert.match(treeHashOf([]), /^[a-f0-9]{64}$/);
  });
});
