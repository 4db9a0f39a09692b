import assert from 'node:assert/strict';
import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { scanWorkspace } from './scan-workspace.js';

describe('scanWorkspace', () => {
  it('lists files and inside symlinks, honours .gitignore and .baleenignore, and never follows a symlink out', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'baleen-scan-'));
    const outside = await mkdtemp(path.join(tmpdir(), 'baleen-outside-'));
    await mkdir(path.join(root, 'features'));
    await mkdir(path.join(root, 'node_modules/x'), { recursive: true });
    await mkdir(path.join(root, 'logs'));
    await writeFile(path.join(root, 'features/a.feature'), 'Feature: a\n');
    await writeFile(path.join(root, 'node_modules/x/index.js'), '');
    await writeFile(path.join(root, 'logs/run.log'), '');
    await writeFile(path.join(root, 'secret.env'), 'X=1\n');
    await writeFile(path.join(root, 'run.sh'), '#!/bin/sh\n', { mode: 0o755 });
    await writeFile(path.join(root, '.gitignore'), 'logs/\n');
    await writeFile(path.join(root, '.baleenignore'), '*.env\n');
    await symlink('features/a.feature', path.join(root, 'inside-link'));
    await symlink(outside, path.join(root, 'outside-link'));

    const scanned = await scanWorkspace(root);
    const paths = scanned.entries.map((entry) => entry.path).sort();
    assert.deepEqual(paths, ['.baleenignore', '.gitignore', 'features/a.feature', 'inside-link', 'run.sh']);
    assert.deepEqual(
      scanned.entries.find((entry) => entry.path === 'inside-link'),
      {
        kind: 'symlink',
        path: 'inside-link',
        target: 'features/a.feature',
      },
    );
    assert.equal(scanned.entries.find((entry) => entry.path === 'run.sh' && entry.kind === 'file')?.kind, 'file');
    const script = scanned.entries.find((entry) => entry.path === 'run.sh');
    assert.ok(script?.kind === 'file' && script.executable);
    assert.equal(scanned.skipped.length, 1);
    assert.match(scanned.skipped[0] ?? '', /^outside-link \(a symlink to .*, outside the project: not followed\)$/);
    assert.equal((await scanWorkspace(root)).treeHash, scanned.treeHash, 'the same tree, the same hash');
  });

  it('leaves out a chain of symlinks that leads out of the tree although each link stays inside', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'baleen-scan-'));
    await mkdir(path.join(root, 'd'));
    await writeFile(path.join(root, 'd/x.txt'), 'x\n');
    await symlink('..', path.join(root, 'd/up'));
    await symlink('d/up/..', path.join(root, 'esc'));
    const scanned = await scanWorkspace(root);
    assert.deepEqual(scanned.entries.map((entry) => entry.path).sort(), ['d/up', 'd/x.txt']);
    assert.match(
      scanned.skipped.join('\n'),
      /^esc \(is a symlink \(-> d\/up\/..\) whose chain of links leads outside/m,
    );
  });
});

describe('manifestFrames', () => {
  it('splits a manifest by count and by bytes, so no frame nears the server’s 1 MiB limit; the last is final', async () => {
    const { manifestFrames } = await import('./sync-workspace.js');
    const long = (i: number) =>
      ({ kind: 'file', path: `${'d'.repeat(4000)}/${i}`, hash: 'a'.repeat(64), size: 1, executable: false }) as const;
    const frames = manifestFrames(Array.from({ length: 1000 }, (_, i) => long(i)));
    assert.ok(frames.length > 1);
    for (const frame of frames) assert.ok(JSON.stringify(frame).length < 600 * 1024);
    assert.deepEqual(
      frames.map((frame) => frame.final),
      frames.map((_, i) => i === frames.length - 1),
    );
    assert.equal(
      frames.reduce((sum, frame) => sum + frame.entries.length, 0),
      1000,
    );
    assert.deepEqual(manifestFrames([]), [{ entries: [], final: true }]);
  });
});
