import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { runBaleenWithReport, runIdFrom, startBaleen } from './support/cli.js';
import { containersWithLabels } from './support/docker.js';
import { IMAGE } from './support/paths.js';

describe('cancellation and concurrency (real CLI, real engine)', () => {
  it('Ctrl-C mid-run stops and removes that run’s containers and exits 130', async () => {
    const cli = startBaleen([
      'cucumber',
      '--image',
      IMAGE,
      '--files',
      'edge/slow.feature',
      'features',
      '--concurrency',
      '2',
    ]);
    const runId = await cli.waitForOutput(/run (run-[0-9a-f]+) accepted/);
    await cli.waitForOutput(/▶ started /);
    assert.ok((await containersWithLabels([`baleen.run=${runId}`])).length > 0, 'containers exist mid-run');
    cli.child.kill('SIGINT');
    const result = await cli.done;
    assert.equal(result.code, 130, `${result.stdout}\n${result.stderr}`);
    assert.match(result.stdout, /cancelling/);
    assert.deepEqual(await containersWithLabels([`baleen.run=${runId}`]), []);
  });

  it('runs at most --concurrency containers at once, and really runs them in parallel (sampled on the engine)', async () => {
    const concurrency = 3;
    const cli = startBaleen([
      'cucumber',
      '--image',
      IMAGE,
      '--files',
      'features',
      'edge/slow.feature',
      '--concurrency',
      String(concurrency),
    ]);
    const runId = await cli.waitForOutput(/run (run-[0-9a-f]+) accepted/);
    let finished = false;
    void cli.done.then(() => {
      finished = true;
    });
    const samples: number[] = [];
    while (!finished) {
      samples.push((await containersWithLabels([`baleen.run=${runId}`], { running: true })).length);
      await sleep(50);
    }
    const result = await cli.done;
    assert.equal(result.code, 0, result.stdout);
    assert.ok(samples.length > 10, `sampled ${samples.length} times`);
    assert.ok(Math.max(...samples) <= concurrency, `at most ${concurrency} at once, saw ${Math.max(...samples)}`);
    assert.ok(Math.max(...samples) >= 2, `files ran in parallel, saw at most ${Math.max(...samples)}`);
    assert.equal(runIdFrom(result.stdout), runId);
  });

  it('a rolling pool: short files keep flowing while a long one holds a slot', async () => {
    const { code, report, stdout } = await runBaleenWithReport([
      'cucumber',
      '--image',
      IMAGE,
      '--files',
      'edge/slow.feature',
      'features/cart.feature',
      'features/login.feature',
      'features/search.feature',
      '--concurrency',
      '2',
    ]);
    assert.equal(code, 0, stdout);
    // With fixed batches of 2, the short files would wait for slow.feature; in a rolling pool all three
    // short files finish before it does.
    const order = stdout
      .split('\n')
      .filter((line) => line.startsWith('✔ passed '))
      .slice(0, 4)
      .map((line) => line.split(' ')[2]);
    assert.equal(order.at(-1), 'edge/slow.feature', order.join(', '));
    assert.equal(report.totals['passed'], 4);
  });
});
