// The server as a service: the registry-free baleen-server image (scripts/build-server-image.sh), run with the
// engine's socket mounted, runs the fixtures suite for a client on this host; stopped, it leaves nothing behind.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { runBaleen, runBaleenWithReport } from './support/cli.js';
import { containersWithLabels } from './support/docker.js';
import { IMAGE, REPO_ROOT } from './support/paths.js';

const exec = promisify(execFile);
const SERVER_IMAGE = process.env['BALEEN_SERVER_IMAGE'] ?? 'baleen-server:latest';
const session = process.env['BALEEN_SESSION'] ?? `server-image-${randomBytes(3).toString('hex')}`;
const name = `baleen-e2e-server-${randomBytes(4).toString('hex')}`;
const token = randomBytes(16).toString('hex');

async function logsOf(container: string): Promise<string> {
  const { stdout, stderr } = await exec('docker', ['logs', container]);
  return stdout + stderr;
}

let url = '';
before(async () => {
  await exec('bash', [path.join(REPO_ROOT, 'scripts/build-server-image.sh')], { timeout: 5 * 60_000 });
  await exec('docker', [
    'run',
    '--detach',
    '--name',
    name,
    '--label',
    `baleen.session=${session}`,
    '--env',
    `BALEEN_SESSION=${session}`,
    '--volume',
    '/var/run/docker.sock:/var/run/docker.sock',
    '--publish',
    '127.0.0.1::5533',
    SERVER_IMAGE,
    '--host',
    '0.0.0.0',
    '--token',
    token,
    '--capacity',
    '4',
  ]);
  const deadline = Date.now() + 90_000;
  while (!(await logsOf(name)).includes('baleen-server listening')) {
    if (Date.now() > deadline) throw new Error(`the server container never listened:\n${await logsOf(name)}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  const { stdout } = await exec('docker', ['port', name, '5533/tcp']);
  url = `ws://${stdout.split('\n')[0]?.trim() ?? ''}`;
});

after(async () => {
  await exec('docker', ['rm', '--force', name]).catch(() => undefined);
});

describe('the baleen-server image', () => {
  it('runs a fixtures suite through the mounted socket, for a client with its token', async () => {
    const result = await runBaleenWithReport(
      ['cucumber', '--image', IMAGE, '--files', 'features/cart.feature', 'edge/failing.feature', '--server', url],
      { env: { BALEEN_TOKEN: token, GITHUB_ACTIONS: '', GITLAB_CI: '' } },
    );
    assert.equal(result.code, 1, result.stdout + result.stderr);
    assert.deepEqual(result.report.files.map((file) => [file.file, file.status]).sort(), [
      ['edge/failing.feature', 'failed'],
      ['features/cart.feature', 'passed'],
    ]);
    const refused = await runBaleen(
      ['cucumber', '--image', IMAGE, '--files', 'features/cart.feature', '--server', url],
      {
        env: { BALEEN_TOKEN: 'wrong' },
      },
    );
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /authentication failed/);
  });

  it('stopped, leaves none of its test containers behind (its reaper ran)', async () => {
    const { stdout } = await exec('docker', ['inspect', '--format', '{{.Id}}', name]);
    assert.ok(stdout.trim().length > 0);
    await exec('docker', ['stop', '--time', '30', name]);
    assert.match(await logsOf(name), /reaper started/);
    const deadline = Date.now() + 30_000;
    let left = await containersWithLabels([`baleen.session=${session}`, 'baleen.managed=true']);
    while (left.length > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      left = await containersWithLabels([`baleen.session=${session}`, 'baleen.managed=true']);
    }
    assert.deepEqual(left, []);
  });
});
