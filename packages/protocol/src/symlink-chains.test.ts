import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { symlinkChainProblems } from './symlink-chains.js';
import type { SyncEntry } from './sync-messages.js';

const link = (path: string, target: string): SyncEntry => ({ kind: 'symlink', path, target });
const file = (path: string): SyncEntry => ({ kind: 'file', path, hash: 'a'.repeat(64), size: 1, executable: false });

describe('symlinkChainProblems', () => {
  it('sees a chain that climbs out although each link alone stays inside', () => {
    const problems = symlinkChainProblems([link('d/up', '..'), link('esc', 'd/up/..'), file('d/x')]);
    assert.deepEqual(
      problems.map((problem) => problem.path),
      ['esc'],
    );
    assert.match(problems[0]?.problem ?? '', /leads outside the tree/);
  });

  it('follows links through links, and accepts chains that stay inside', () => {
    assert.deepEqual(
      symlinkChainProblems([
        link('a', 'b/c'),
        link('b', 'real'),
        file('real/c'),
        link('real/up', '../real'),
        link('top', 'real/up/c'),
        link('dangling', 'missing/file'),
      ]),
      [],
    );
    assert.deepEqual(
      symlinkChainProblems([link('b', 'real/deeper'), link('out', 'b/../../..')]).map((problem) => problem.path),
      ['out'],
    );
  });

  it('refuses loops and entries that lie under a symlink', () => {
    const problems = symlinkChainProblems([link('x', 'y'), link('y', 'x'), link('dir', 'real'), file('dir/f')]);
    assert.deepEqual(
      problems.map((problem) => `${problem.path}: ${problem.problem}`),
      [
        'x: is a symlink (-> y) in a loop of links',
        'y: is a symlink (-> x) in a loop of links',
        "dir/f: lies under the symlink 'dir'",
      ],
    );
  });
});
