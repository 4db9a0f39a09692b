import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { startTests, type RunEvent } from '@baleen/client';
import { containersWithLabels } from './support/docker.js';
import { FIXTURES, IMAGE, REPO_ROOT } from './support/paths.js';

const exec = promisify(execFile);
const EXAMPLE = path.join(REPO_ROOT, 'packages/client/examples/live-events.mjs');

describe('the programmatic API (real engine)', () => {
  it('the README’s example is the example file, and it runs: live lines, totals, exit 1 for the failing file', async () => {
    const [readme, example] = await Promise.all([
      readFile(path.join(REPO_ROOT, 'packages/client/README.md'), 'utf8'),
      readFile(EXAMPLE, 'utf8'),
    ]);
    assert.ok(readme.includes('```js\n' + example + '```'), 'README shows examples/live-events.mjs verbatim');
    const outcome = await exec(process.execPath, [EXAMPLE], { cwd: FIXTURES }).then(
      ({ stdout }) => ({ code: 0, stdout }),
      (error: unknown) => {
        const failed = error as { code: number; stdout: string };
        return { code: failed.code, stdout: failed.stdout };
      },
    );
    assert.equal(outcome.code, 1);
    const lines = outcome.stdout.trim().split('\n');
    assert.deepEqual([...lines.slice(0, 2)].sort(), [
      'failed edge/failing.feature (exit 1)',
      'passed features/cart.feature (exit 0)',
    ]);
    assert.equal(lines[2], 'done: 1 passed, 1 failed');
  });

  it('startTests yields events in order as an async iterable, and cancel() stops the run and removes its containers', async () => {
    const run = startTests({
      image: IMAGE,
      files: ['edge/slow.feature', 'features/cart.feature'],
      command: ['node_modules/.bin/cucumber-js'],
      timeoutSeconds: 120,
      concurrency: 1,
      env: {},
    });
    const seen: RunEvent['type'][] = [];
    let runId = '';
    for await (const event of run) {
      seen.push(event.type);
      if (event.type === 'run-accepted') runId = event.message.runId;
      if (event.type === 'file-started') run.cancel();
    }
    const result = await run.result;
    assert.equal(seen[0], 'welcome');
    assert.equal(seen[1], 'run-accepted');
    assert.ok(seen.includes('file-started'));
    assert.equal(result.finished.status, 'cancelled');
    assert.equal(result.finished.totals.cancelled, 2);
    assert.deepEqual(await containersWithLabels([`baleen.run=${runId}`]), []);
  });

  it('a run that cannot start throws from the loop and rejects result', async () => {
    const run = startTests({
      image: IMAGE,
      files: ['features/cart.feature'],
      command: ['true'],
      timeoutSeconds: 10,
      concurrency: 1,
      env: {},
      server: 'ws://127.0.0.1:1',
    });
    await assert.rejects(async () => {
      for await (const event of run) assert.fail(`no event expected, got ${event.type}`);
    }, /127\.0\.0\.1:1/);
    await assert.rejects(run.result);
  });
});
