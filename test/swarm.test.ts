import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { mkdtemp } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { runBaleenWithReport, startServerProcess, type JsonReport, type RunningCli } from './support/cli.js';
import { BALEEN_BIN, FIXTURES, IMAGE } from './support/paths.js';

const exec = promisify(execFile);
const FILES = ['features', 'edge/failing.feature', 'edge/pending.feature'];

async function swarmState(): Promise<string> {
  const { stdout } = await exec('docker', ['info', '--format', '{{.Swarm.LocalNodeState}}']);
  return stdout.trim();
}

async function baleenServices(): Promise<string[]> {
  const { stdout } = await exec('docker', ['service', 'ls', '--quiet', '--filter', 'label=baleen.managed=true']);
  return stdout.split('\n').filter(Boolean);
}

/** Per file: status, exit code and scenario counts — what must not depend on the backend. */
function outcomes(report: JsonReport): Record<string, unknown> {
  return Object.fromEntries(
    report.files.map((file) => [
      file.file,
      { status: file.status, exitCode: file.exitCode, scenarios: file.scenarios },
    ]),
  );
}

describe('the swarm backend (a real one-node swarm on this engine)', () => {
  let server: RunningCli;
  let url = '';
  let joinedHere = false;

  before(async () => {
    if ((await swarmState()) !== 'active') {
      await exec('docker', ['swarm', 'init', '--advertise-addr', '127.0.0.1']);
      joinedHere = true;
    }
    const stateDir = await mkdtemp(path.join(tmpdir(), 'baleen-state-'));
    server = startServerProcess(['--port', '0', '--log-level', 'warn', '--state-dir', stateDir, '--backend', 'swarm']);
    url = await server.waitForOutput(/listening on (ws:\/\/\S+)/);
  });

  after(async () => {
    server.child.kill('SIGINT');
    await server.done;
    if (joinedHere) await exec('docker', ['swarm', 'leave', '--force']);
  });

  it('runs the fixtures suite with the same results as the docker backend, reporting the node of each file', async () => {
    const onSwarm = await runBaleenWithReport([
      'cucumber',
      '--image',
      IMAGE,
      '--files',
      ...FILES,
      '--server',
      url,
      '--concurrency',
      '4',
    ]);
    const onDocker = await runBaleenWithReport([
      'cucumber',
      '--image',
      IMAGE,
      '--files',
      ...FILES,
      '--concurrency',
      '4',
    ]);
    assert.equal(onSwarm.code, 1, onSwarm.stdout + onSwarm.stderr);
    assert.equal(onDocker.code, 1);
    assert.deepEqual(outcomes(onSwarm.report), outcomes(onDocker.report));
    assert.equal(onSwarm.report.totals['passed'], 16);
    const nodes = new Set(onSwarm.report.files.map((file) => (file as { node?: string }).node));
    assert.deepEqual([...nodes], [hostname()]);
    assert.match(onSwarm.stdout, new RegExp(`node ${hostname()}`));
    // A failing file's output is read back from the service logs with stdout and stderr apart.
    const failing = onSwarm.report.files.find((file) => file.file === 'edge/failing.feature');
    assert.match(failing?.stdout ?? '', /AssertionError|Expected|failed/);
    assert.deepEqual(await baleenServices(), [], 'every service is removed once its result is taken');
  });

  it('a deadline removes the service and the file is timed-out, with the output it printed first', async () => {
    const result = await runBaleenWithReport([
      'cucumber',
      '--image',
      IMAGE,
      '--files',
      'edge/timeout.feature',
      '--server',
      url,
      // Long enough for node to start and print under a loaded CI machine; the file sleeps 60 s.
      '--timeout',
      '10',
    ]);
    assert.equal(result.code, 1);
    const [file] = result.report.files;
    assert.equal(file?.status, 'timed-out');
    assert.match(file?.stdout ?? '', /about to sleep/);
    assert.deepEqual(await baleenServices(), []);
  });

  it('streams a running file’s scenario results live, as the docker backend does', async () => {
    // slow.feature: four scenarios of 2 s each. Each result must reach the client as it happens, not when the
    // service's task has ended; the protocol trace shows when each frame arrived.
    const child = spawn(
      process.execPath,
      [BALEEN_BIN, 'cucumber', '--image', IMAGE, '--files', 'edge/slow.feature', '--server', url, '--split', 'off'],
      { cwd: FIXTURES, env: { ...process.env, BALEEN_DEBUG: 'protocol', NO_COLOR: '1' } },
    );
    child.stdout.resume();
    const arrivals: { type: string; at: number }[] = [];
    for await (const line of createInterface({ input: child.stderr })) {
      const type = /◀ RECV \{"type":"([a-z-]+)"/.exec(line)?.[1];
      if (type !== undefined) arrivals.push({ type, at: Date.now() });
    }
    const code = await new Promise((resolve) => {
      if (child.exitCode !== null) resolve(child.exitCode);
      else child.once('exit', resolve);
    });
    assert.equal(code, 0);
    const scenarios = arrivals.filter((arrival) => arrival.type === 'scenario-finished');
    const finished = arrivals.find((arrival) => arrival.type === 'file-finished');
    assert.equal(scenarios.length, 4, JSON.stringify(arrivals));
    assert.ok(finished !== undefined);
    const lead = finished.at - (scenarios[0]?.at ?? finished.at);
    assert.ok(lead > 3_000, `the first scenario arrived ${lead} ms before the file ended; live, it is ~6 s`);
  });

  it('retries and fail-fast behave as on the docker backend', async () => {
    const result = await runBaleenWithReport([
      ...['cucumber', '--image', IMAGE, '--files', 'edge/failing.feature', 'features/cart.feature'],
      ...['--server', url, '--retries', '1', '--concurrency', '1', '--order', 'given'],
    ]);
    assert.equal(result.code, 1);
    const failing = result.report.files.find((file) => file.file === 'edge/failing.feature');
    assert.equal(failing?.attempts.length, 2);
  });
});
