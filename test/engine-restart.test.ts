import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { runBaleen, startBaleen, startServerProcess, type JsonReport } from './support/cli.js';
import { containersWithLabels } from './support/docker.js';
import { IMAGE, REPO_ROOT } from './support/paths.js';

const exec = promisify(execFile);
const ENSURE_DOCKER = path.join(REPO_ROOT, 'scripts/ensure-docker.sh');

/** Whatever happens in the test, the engine is running again for the tests after it. */
async function engineBack(): Promise<void> {
  await exec('bash', [ENSURE_DOCKER], { timeout: 120_000 });
}

describe('the Docker engine stopping mid-run (real dockerd, stopped and started again)', () => {
  after(engineBack);

  it(
    'ends the files in flight as `error` within 30 s, reports the run, and serves the next run once the engine is back',
    {
      timeout: 240_000,
    },
    async () => {
      const stateDir = await mkdtemp(path.join(tmpdir(), 'baleen-state-'));
      const server = startServerProcess([
        '--port',
        '0',
        '--log-level',
        'warn',
        '--state-dir',
        stateDir,
        '--capacity',
        '4',
      ]);
      const url = await server.waitForOutput(/listening on (ws:\/\/\S+)/);
      try {
        const reportDir = await mkdtemp(path.join(tmpdir(), 'baleen-e2e-'));
        const reportFile = path.join(reportDir, 'report.json');
        const files = ['load/load-01.feature', 'load/load-02.feature', 'load/load-03.feature'];
        const client = startBaleen([
          'cucumber',
          '--image',
          IMAGE,
          '--files',
          ...files,
          '--server',
          url,
          '--env',
          'LOAD_WAIT_MS=120000',
          '--timeout',
          '300',
          '--json',
          reportFile,
        ]);
        const runId = await client.waitForOutput(/run (run-[0-9a-f]+) accepted/);
        const started = Date.now();
        while ((await containersWithLabels([`baleen.run=${runId}`], { running: true })).length < files.length) {
          assert.ok(Date.now() - started < 60_000, 'three containers running within 60 s');
          await sleep(250);
        }

        const stopped = Date.now();
        await exec('pkill', ['-TERM', '-x', 'dockerd']);
        const result = await client.done;
        const tookMs = Date.now() - stopped;

        assert.ok(tookMs < 30_000, `the run ended ${tookMs} ms after the engine was told to stop`);
        assert.equal(result.code, 2, `exit 2 (errors), got ${String(result.code)}\n${result.stdout}\n${result.stderr}`);
        const report = JSON.parse(await readFile(reportFile, 'utf8')) as JsonReport;
        assert.equal(report.files.length, files.length);
        for (const file of report.files) {
          assert.equal(file.status, 'error', `${file.file}: ${JSON.stringify(file.error)}`);
          assert.equal(file.error?.code, 'DOCKER_UNREACHABLE');
          assert.match(file.error.message, /Docker engine/);
        }
        assert.match(result.stdout, /Docker engine/, 'the reason is printed');
        assert.equal(server.child.exitCode, null, 'the server is still up');

        await engineBack();
        const next = await runBaleen([
          'cucumber',
          '--image',
          IMAGE,
          '--files',
          'features/cart.feature',
          '--server',
          url,
        ]);
        assert.equal(next.code, 0, `${next.stdout}\n${next.stderr}`);
        assert.match(next.stdout, /1 file \(1 passed\)/);
        // The containers the engine stopped on its way down are removed once it answers again.
        assert.deepEqual(await containersWithLabels([`baleen.run=${runId}`]), []);
      } finally {
        server.child.kill('SIGINT');
        await server.done;
      }
    },
  );
});
