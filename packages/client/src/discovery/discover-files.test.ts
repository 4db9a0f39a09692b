import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { discoverFiles } from './discover-files.js';

let root: string;
const options = () => ({ cwd: root, directoryPattern: '**/*.feature' });

describe('discoverFiles', () => {
  before(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'baleen-discovery-'));
    const files = [
      'features/b.feature',
      'features/a.feature',
      'features/sub/deep/c.feature',
      'features/notes.txt',
      'features/node_modules/pkg/x.feature',
      `edge/odd (dir)/spaces; $(x) 'q' & more.feature`,
    ];
    for (const file of files) {
      await mkdir(path.dirname(path.join(root, file)), { recursive: true });
      await writeFile(path.join(root, file), 'Feature: x\n');
    }
  });
  after(() => rm(root, { recursive: true, force: true }));

  it('expands a directory to every feature file under it, sorted, skipping node_modules', async () => {
    assert.deepEqual(await discoverFiles(['features'], options()), [
      'features/a.feature',
      'features/b.feature',
      'features/sub/deep/c.feature',
    ]);
  });

  it('takes globs and single files, and de-duplicates', async () => {
    assert.deepEqual(
      await discoverFiles(['features/*.feature', 'features/a.feature', './features/b.feature'], options()),
      ['features/a.feature', 'features/b.feature'],
    );
  });

  it('handles directories and files whose names have glob and shell characters', async () => {
    const odd = `edge/odd (dir)/spaces; $(x) 'q' & more.feature`;
    assert.deepEqual(await discoverFiles(['edge'], options()), [odd]);
    assert.deepEqual(await discoverFiles([odd], options()), [odd]);
  });

  it('refuses an input that matches nothing, naming it', async () => {
    await assert.rejects(discoverFiles(['features', 'featurez'], options()), {
      code: 'NO_FILES_FOUND',
      message: /featurez/,
    });
    await assert.rejects(discoverFiles(['features/**/*.nope'], options()), { code: 'NO_FILES_FOUND' });
  });

  it('refuses files outside the current directory', async () => {
    await assert.rejects(
      discoverFiles(['../'], { cwd: path.join(root, 'features'), directoryPattern: '**/*.feature' }),
      {
        code: 'USAGE',
      },
    );
  });
});
