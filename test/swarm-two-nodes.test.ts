import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { runBaleenWithReport, startServerProcess, type JsonReport, type RunningCli } from './support/cli.js';
import { IMAGE } from './support/paths.js';
import { copyImage, startSecondEngine, type SecondEngine } from './support/second-engine.js';

const exec = promisify(execFile);
const ONLY_ON_MANAGER = 'baleen-fixtures:only-on-the-manager';

async function docker(args: string[]): Promise<string> {
  const { stdout } = await exec('docker', args);
  return stdout.trim();
}

async function readyNodes(): Promise<string[]> {
  const out = await docker(['node', 'ls', '--format', '{{.Hostname}} {{.Status}}']);
  return out
    .split('\n')
    .filter((line) => line.endsWith(' Ready'))
    .map((line) => line.split(' ')[0] ?? '');
}

function nodesOf(report: JsonReport): string[] {
  return [...new Set(report.files.map((file) => file.node ?? 'none'))].sort();
}

describe('the swarm backend on two real nodes (a second engine in its own network namespace)', () => {
  let second: SecondEngine;
  let server: RunningCli;
  let url = '';

  before(async () => {
    // This test builds its own two-node swarm, advertised on the veth pair, so it starts from no swarm at all.
    await docker(['swarm', 'leave', '--force']).catch(() => undefined);
    second = await startSecondEngine();
    await docker(['swarm', 'init', '--advertise-addr', second.managerAddress]);
    const token = await docker(['swarm', 'join-token', '--quiet', 'worker']);
    await second.docker([
      ...['swarm', 'join', '--token', token, '--advertise-addr', second.address],
      ...['--listen-addr', `${second.address}:2377`, `${second.managerAddress}:2377`],
    ]);
    const deadline = Date.now() + 60_000;
    while ((await readyNodes()).length < 2) {
      if (Date.now() > deadline) throw new Error(`the worker never became Ready: ${await readyNodes().then(String)}`);
      await sleep(500);
    }
    await copyImage(IMAGE, second.host);
    await docker(['tag', IMAGE, ONLY_ON_MANAGER]);
    const stateDir = await mkdtemp(path.join(tmpdir(), 'baleen-state-'));
    server = startServerProcess([
      ...['--port', '0', '--log-level', 'warn', '--state-dir', stateDir, '--backend', 'swarm', '--capacity', '8'],
    ]);
    url = await server.waitForOutput(/listening on (ws:\/\/\S+)/);
  });

  after(async () => {
    server.child.kill('SIGINT');
    await server.done;
    await second.stop();
    await docker(['swarm', 'leave', '--force']).catch(() => undefined);
    await docker(['rmi', ONLY_ON_MANAGER]).catch(() => undefined);
  });

  it('spreads a suite over both nodes, with the same results as on one engine, and says where each file ran', async () => {
    const files = ['features', 'edge/failing.feature', 'edge/pending.feature'];
    const result = await runBaleenWithReport([
      ...['cucumber', '--image', IMAGE, '--files', ...files, '--server', url, '--concurrency', '8'],
    ]);
    assert.equal(result.code, 1, result.stdout + result.stderr);
    assert.equal(result.report.totals['passed'], 16);
    const spread = Object.entries(
      result.report.files.reduce<Record<string, number>>((counts, file) => {
        counts[file.node ?? 'none'] = (counts[file.node ?? 'none'] ?? 0) + 1;
        return counts;
      }, {}),
    );
    console.log(`files per node: ${spread.map(([node, count]) => `${node} ${count}`).join(', ')}`);
    assert.deepEqual(nodesOf(result.report), [hostname(), second.hostname].sort());
    assert.match(result.stdout, new RegExp(`node ${second.hostname}`));
    // Output of a file that ran on the worker travels back through the manager's service logs.
    const onWorker = result.report.files.filter((file) => file.node === second.hostname);
    assert.ok(onWorker.length > 0);
    assert.ok(onWorker.every((file) => file.stdout.length > 0));
    assert.equal(await docker(['service', 'ls', '--quiet', '--filter', 'label=baleen.managed=true']), '');
  });

  it('a file sent to a node without the image fails with "image X is not on node Y"', async () => {
    const result = await runBaleenWithReport([
      ...['cucumber', '--image', ONLY_ON_MANAGER, '--files', 'features', '--server', url, '--concurrency', '8'],
    ]);
    assert.equal(result.code, 2, result.stdout + result.stderr);
    const errored = result.report.files.filter((file) => file.status === 'error');
    const passed = result.report.files.filter((file) => file.status === 'passed');
    assert.ok(errored.length > 0, `no file was sent to ${second.hostname}`);
    for (const file of errored) {
      assert.match(
        file.error?.message ?? '',
        new RegExp(`image '${ONLY_ON_MANAGER}' is not on node ${second.hostname}`),
      );
    }
    // The manager has the image: what it ran passed.
    assert.ok(passed.length > 0);
    assert.ok(passed.every((file) => file.node === hostname()));
    assert.equal(errored.length + passed.length, result.report.files.length);
  });
});
