import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { runBaleen, runBaleenWithReport, runIdFrom } from './support/cli.js';
import { containersWithLabels } from './support/docker.js';
import { IMAGE } from './support/paths.js';

const cucumber = (...args: string[]) => ['cucumber', '--image', IMAGE, ...args];

describe('exit codes and clear errors (real CLI, real engine)', () => {
  it('exits 1 when a file fails, reporting which and showing its output', async () => {
    const { code, stdout, report } = await runBaleenWithReport(
      cucumber('--files', 'edge/failing.feature', 'features/cart.feature'),
    );
    assert.equal(code, 1, stdout);
    const failing = report.files.find((f) => f.file === 'edge/failing.feature');
    assert.equal(failing?.status, 'failed');
    assert.notEqual(failing?.exitCode, 0);
    assert.equal(report.files.find((f) => f.file === 'features/cart.feature')?.status, 'passed');
    // The output of the file that did not pass is printed under its name.
    assert.match(stdout, /── edge\/failing\.feature \(failed, exit 1/);
    assert.ok(stdout.includes(failing?.stdout.trim().split('\n')[0] ?? '<none>'));
  });

  it('exits 1 for pending and undefined steps (cucumber’s strict default)', async () => {
    const { code, report } = await runBaleenWithReport(
      cucumber('--files', 'edge/pending.feature', 'edge/undefined.feature'),
    );
    assert.equal(code, 1);
    assert.deepEqual(
      report.files.map((f) => f.status),
      ['failed', 'failed'],
    );
  });

  it('kills a file at its deadline, reports it timed-out with its output so far, exits 1, and leaves no container', async () => {
    const started = Date.now();
    const { code, stdout, report } = await runBaleenWithReport(
      cucumber('--files', 'edge/timeout.feature', '--timeout', '3'),
    );
    assert.equal(code, 1, stdout);
    assert.ok(Date.now() - started < 30_000, 'the 60 s step was cut short');
    const [file] = report.files;
    assert.equal(file?.status, 'timed-out');
    assert.equal(file?.error?.code, 'TIMED_OUT');
    assert.match(file?.stdout ?? '', /about to sleep/i, 'output produced before the kill is kept');
    assert.match(stdout, /⏱ timed-out edge\/timeout\.feature/);
    assert.deepEqual(await containersWithLabels([`baleen.run=${runIdFrom(stdout)}`]), []);
  });

  it('exits 2 naming the image when it is not on the engine', async () => {
    const { code, stderr } = await runBaleen([
      'cucumber',
      '--image',
      'baleen-no-such-image:nope',
      '--files',
      'features/cart.feature',
    ]);
    assert.equal(code, 2);
    assert.match(
      stderr,
      /image 'baleen-no-such-image:nope' not found on the Docker engine at unix:\/\/\/var\/run\/docker\.sock/,
    );
  });

  it('exits 2 naming the engine address when Docker is unreachable', async () => {
    const { code, stderr } = await runBaleen(cucumber('--files', 'features/cart.feature'), {
      env: { DOCKER_HOST: 'unix:///tmp/baleen-no-docker-here.sock' },
    });
    assert.equal(code, 2);
    assert.match(stderr, /cannot reach the Docker engine at unix:\/\/\/tmp\/baleen-no-docker-here\.sock/);
  });

  it('exits 2 when no files are found — never a green run that tested nothing', async () => {
    const missing = await runBaleen(cucumber('--files', 'no-such-dir'));
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /no such file or directory: 'no-such-dir'/);
    const nothing = await runBaleen(cucumber('--files', 'features/**/*.nothing'));
    assert.equal(nothing.code, 2);
    assert.match(nothing.stderr, /no test files match/);
    // Without --files, cucumber-js's own default paths: a folder without features/ has nothing to run.
    const empty = await mkdtemp(path.join(tmpdir(), 'baleen-no-features-'));
    try {
      const none = await runBaleen(['cucumber', '--image', IMAGE], { cwd: empty });
      assert.equal(none.code, 2);
      assert.match(none.stderr, /no test files match 'features\/\*\*\/\*\.\{feature,feature\.md\}'/);
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });

  it('exits 2 when the server is unreachable, saying how to fix it', async () => {
    const { code, stderr } = await runBaleen(
      cucumber('--files', 'features/cart.feature', '--server', 'ws://127.0.0.1:9'),
    );
    assert.equal(code, 2);
    assert.match(stderr, /cannot reach a Baleen server at ws:\/\/127\.0\.0\.1:9/);
  });

  it('exits 2 on a usage error', async () => {
    const bad = await runBaleen(cucumber('--files', 'features', '--concurrency', 'lots'));
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--concurrency/);
    const noImage = await runBaleen(['cucumber', '--files', 'features']);
    assert.equal(noImage.code, 2);
    assert.match(noImage.stderr, /--image/);
    const badEnv = await runBaleen(cucumber('--files', 'features', '--env', '1X=y'));
    assert.equal(badEnv.code, 2);
  });
});
