import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { runBaleen, runBaleenWithReport, runIdFrom, startBaleen } from './support/cli.js';
import { containersWithLabels } from './support/docker.js';
import { IMAGE } from './support/paths.js';

const exec = promisify(execFile);

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
      // History from earlier tests may know slow.feature as long and split it; this test is about one file
      // holding a slot while others flow past it.
      '--split',
      'off',
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

  it('a CLI killed with -9 leaves its containers only until the next run on this machine sweeps them — never a live run’s or a --keep run’s', async () => {
    const cucumber = (...args: string[]): string[] => ['cucumber', '--image', IMAGE, ...args];
    const kept = await runBaleenWithReport(cucumber('--files', 'features/cart.feature', '--keep'));
    assert.equal(kept.code, 0, kept.stdout + kept.stderr);
    const keptRun = kept.report.runId;
    const killed = startBaleen(cucumber('--files', 'edge/timeout.feature', '--timeout', '120'));
    const alive = startBaleen(cucumber('--files', 'edge/timeout.feature', '--timeout', '120'));
    try {
      const killedRun = await killed.waitForOutput(/run (run-[0-9a-f]+) accepted/);
      const aliveRun = await alive.waitForOutput(/run (run-[0-9a-f]+) accepted/);
      await killed.waitForOutput(/▶ started /);
      await alive.waitForOutput(/▶ started /);
      killed.child.kill('SIGKILL');
      await killed.done;
      assert.equal((await containersWithLabels([`baleen.run=${killedRun}`])).length, 1, 'kill -9 left its container');

      const next = await runBaleen(cucumber('--files', 'features/login.feature'));
      assert.equal(next.code, 0, next.stdout + next.stderr);
      assert.deepEqual(await containersWithLabels([`baleen.run=${killedRun}`]), [], 'the next run swept it');
      assert.equal((await containersWithLabels([`baleen.run=${aliveRun}`])).length, 1, 'a live run keeps its own');
      assert.equal((await containersWithLabels([`baleen.run=${keptRun}`])).length, 1, '--keep is the user’s');
    } finally {
      killed.child.kill('SIGKILL');
      alive.child.kill('SIGINT');
      await alive.done;
      const leftovers = await containersWithLabels([`baleen.run=${keptRun}`]);
      if (leftovers.length > 0) await exec('docker', ['rm', '-f', ...leftovers]);
    }
  });
});
