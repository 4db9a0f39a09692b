import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { runBaleenWithReport, runIdFrom } from './support/cli.js';
import { containersWithLabels } from './support/docker.js';
import { FIXTURES, IMAGE } from './support/paths.js';

async function featureFilesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(path.join(FIXTURES, dir), { recursive: true });
  return entries
    .filter((entry) => entry.endsWith('.feature'))
    .map((entry) => `${dir}/${entry}`)
    .sort();
}

describe('baleen cucumber on the fixtures suite (real CLI, real engine, real cucumber-js)', () => {
  it('runs every feature file in its own container and exits 0 with a summary', async () => {
    const expected = await featureFilesUnder('features');
    assert.ok(expected.length >= 12, 'the fixtures hold at least 12 feature files');
    const { code, stdout, stderr, report } = await runBaleenWithReport([
      'cucumber',
      '--image',
      IMAGE,
      '--files',
      'features',
      '--concurrency',
      '4',
    ]);
    assert.equal(code, 0, `${stdout}\n${stderr}`);

    assert.deepEqual(report.files.map((f) => f.file).sort(), expected);
    assert.ok(report.files.every((f) => f.status === 'passed' && f.exitCode === 0));
    // One container per file, each distinct.
    const ids = new Set(report.files.map((f) => f.containerId));
    assert.equal(ids.size, expected.length);
    assert.equal(report.totals['passed'], expected.length);

    // The live view saw each file start and finish, and the summary names every file.
    assert.equal(stdout.match(/▶ started /g)?.length, expected.length);
    assert.equal(stdout.match(/✔ passed /g)?.length, expected.length * 2, 'one live line and one table row per file');
    for (const file of expected) assert.ok(stdout.includes(file), `summary names ${file}`);
    assert.match(stdout, new RegExp(`${expected.length} files \\(${expected.length} passed\\) in `));

    // Every container is removed after its result was taken.
    assert.deepEqual(await containersWithLabels([`baleen.run=${runIdFrom(stdout)}`]), []);
  });

  it('accepts --features as the original baleen’s alias, and globs', async () => {
    const { code, report } = await runBaleenWithReport([
      'cucumber',
      '--image',
      IMAGE,
      '--features',
      'features/billing/*.feature',
    ]);
    assert.equal(code, 0);
    assert.deepEqual(
      report.files.map((f) => f.file),
      await featureFilesUnder('features/billing').then((files) =>
        files.filter((f) => !f.slice('features/billing/'.length).includes('/')),
      ),
    );
  });
});
