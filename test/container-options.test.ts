import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { runBaleen, runBaleenWithReport, startBaleen, startServerProcess } from './support/cli.js';
import { containersWithLabels } from './support/docker.js';
import { IMAGE } from './support/paths.js';

const exec = promisify(execFile);
/** `baleen run` on one fixture file (its name is only passed along) with a shell command of the test's own. */
const runShell = (options: string[], script: string): string[] => [
  'run',
  '--image',
  IMAGE,
  '--files',
  'load/load-01.feature',
  '--show-output',
  ...options,
  '--',
  'sh',
  '-c',
  script,
  'baleen-test',
  '{file}',
];

interface Inspected {
  Config: { User: string; Hostname: string; WorkingDir: string; Entrypoint: string[] | null; Env: string[] };
  HostConfig: Record<string, unknown>;
}

async function inspect(id: string): Promise<Inspected> {
  const { stdout } = await exec('docker', ['inspect', id]);
  const [info] = JSON.parse(stdout) as Inspected[];
  assert.ok(info);
  return info;
}

/** Every container on the engine, whoever made it: a failed image build must not add one. */
async function allContainerIds(): Promise<string[]> {
  const { stdout } = await exec('docker', ['ps', '--all', '--quiet', '--no-trunc']);
  return stdout.split('\n').filter(Boolean).sort();
}

/** Kept containers are the user's to remove; so here, the test's. */
async function removeKept(runId: string): Promise<void> {
  const ids = await containersWithLabels([`baleen.run=${runId}`]);
  if (ids.length > 0) await exec('docker', ['rm', '-f', ...ids]);
}

describe('container options (real engine)', () => {
  it('--keep leaves the container, says so, and every option landed in its configuration', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'baleen-opts-'));
    const envFile = path.join(dir, 'test.env');
    await writeFile(envFile, '# comment\nFROM_FILE=yes\nOVERRIDDEN=file\n');
    const result = await runBaleenWithReport([
      'cucumber',
      '--image',
      IMAGE,
      '--files',
      'features/cart.feature',
      '--keep',
      ...['--memory', '300m', '--cpus', '1.5', '--cpuset-cpus', '0', '--pids-limit', '321'],
      ...['--network', 'bridge', '--user', '0:0', '--hostname', 'baleen-box'],
      ...['--work-dir', '/app', '--entrypoint', '/usr/bin/env', '--shm-size', '32m'],
      ...['--volume', `${dir}:/host-dir:ro`, '--tmpfs', '/scratch:size=16m', '--read-only', '--publish', '8080'],
      ...['--env', 'OVERRIDDEN=flag', '--env-file', envFile],
    ]);
    const [file] = result.report.files;
    try {
      assert.equal(result.code, 0, result.stdout);
      assert.ok(file?.containerId);
      assert.match(result.stdout, new RegExp(`container ${file.containerId.slice(0, 12)} kept \\(--keep\\)`));
      const info = await inspect(file.containerId);
      assert.deepEqual(
        {
          Memory: info.HostConfig['Memory'],
          MemorySwap: info.HostConfig['MemorySwap'],
          NanoCpus: info.HostConfig['NanoCpus'],
          CpusetCpus: info.HostConfig['CpusetCpus'],
          PidsLimit: info.HostConfig['PidsLimit'],
          NetworkMode: info.HostConfig['NetworkMode'],
          Privileged: info.HostConfig['Privileged'],
          ShmSize: info.HostConfig['ShmSize'],
          Binds: info.HostConfig['Binds'],
          Tmpfs: info.HostConfig['Tmpfs'],
          ReadonlyRootfs: info.HostConfig['ReadonlyRootfs'],
          PortBindings: info.HostConfig['PortBindings'],
          SecurityOpt: info.HostConfig['SecurityOpt'],
        },
        {
          Memory: 300 * 1024 * 1024,
          MemorySwap: 300 * 1024 * 1024,
          NanoCpus: 1_500_000_000,
          CpusetCpus: '0',
          PidsLimit: 321,
          NetworkMode: 'bridge',
          Privileged: false,
          ShmSize: 32 * 1024 * 1024,
          Binds: [`${dir}:/host-dir:ro`],
          Tmpfs: { '/scratch': 'size=16m' },
          ReadonlyRootfs: true,
          PortBindings: { '8080/tcp': [{ HostIp: '', HostPort: '' }] },
          SecurityOpt: ['no-new-privileges'],
        },
      );
      assert.equal(info.Config.User, '0:0');
      assert.equal(info.Config.Hostname, 'baleen-box');
      assert.equal(info.Config.WorkingDir, '/app');
      assert.deepEqual(info.Config.Entrypoint, ['/usr/bin/env']);
      assert.ok(info.Config.Env.includes('FROM_FILE=yes'));
      assert.ok(info.Config.Env.includes('OVERRIDDEN=flag'), '--env wins over --env-file');
    } finally {
      await removeKept(result.report.runId);
    }
  });

  // Neither a GPU nor privileged containers exist in this sandbox: the configuration is checked, and the error.
  it('--gpus and --privileged land in the configuration; without a GPU the file errors with the engine’s reason', async () => {
    const result = await runBaleenWithReport([...runShell(['--gpus', 'device=0,1', '--privileged', '--keep'], 'true')]);
    try {
      assert.equal(result.code, 2, result.stdout);
      assert.match(result.stdout, /could not select device driver/);
      const [id] = await containersWithLabels([`baleen.run=${result.report.runId}`]);
      assert.ok(id, 'the kept container');
      assert.equal((await inspect(id)).HostConfig['Privileged'], true);
      const requests = (await inspect(id)).HostConfig['DeviceRequests'] as {
        DeviceIDs: string[];
        Capabilities: string[][];
      }[];
      assert.deepEqual(requests[0]?.DeviceIDs, ['0', '1']);
      assert.deepEqual(requests[0]?.Capabilities, [['gpu']]);
    } finally {
      await removeKept(result.report.runId);
    }
  });

  it('the process sees its --user, --work-dir, env and hostname; --network none leaves only loopback', async () => {
    const result = await runBaleenWithReport(
      runShell(
        [
          '--user',
          '1234:2345',
          '--work-dir',
          '/tmp',
          '--env',
          'GREETING=hi there',
          '--hostname',
          'probe',
          '--network',
          'none',
        ],
        'echo "uid=$(id -u) gid=$(id -g) pwd=$(pwd) greeting=$GREETING host=$(hostname) file=$1"; ls /sys/class/net',
      ),
    );
    assert.equal(result.code, 0, result.stdout);
    const stdout = result.report.files[0]?.stdout ?? '';
    assert.match(stdout, /^uid=1234 gid=2345 pwd=\/tmp greeting=hi there host=probe file=load\/load-01\.feature$/m);
    assert.deepEqual(stdout.split('\n').slice(1).filter(Boolean), ['lo']);
  });

  it('a container killed by its memory limit is reported oom, and the run exits 1', async () => {
    const result = await runBaleenWithReport([
      'run',
      '--image',
      IMAGE,
      '--files',
      'load/load-01.feature',
      '--memory',
      '64m',
      '--',
      'node',
      '-e',
      'const kept = []; for (;;) kept.push(Buffer.alloc(1 << 20, 1));',
    ]);
    assert.equal(result.code, 1, result.stdout);
    assert.equal(result.report.files[0]?.status, 'oom');
    assert.equal(result.report.files[0]?.error?.code, 'OUT_OF_MEMORY');
    assert.equal(result.report.totals['oom'], 1);
    assert.match(result.stdout, /killed by its memory limit of 64 MiB/);
  });

  it('--prepare runs once; every test container sees its /job read-only; the volume is removed after', async () => {
    const result = await runBaleenWithReport([
      'run',
      '--image',
      IMAGE,
      '--files',
      'load/load-01.feature',
      'load/load-02.feature',
      '--show-output',
      '--prepare',
      'echo "built once by $BALEEN_STAGE" > /job/artifact',
      '--',
      'sh',
      '-c',
      'cat /job/artifact; if touch /job/x 2>/dev/null; then echo writable; else echo read-only; fi',
    ]);
    assert.equal(result.code, 0, result.stdout);
    assert.match(result.stdout, /prepare stage/);
    for (const file of result.report.files) assert.equal(file.stdout, 'built once by prepare\nread-only\n');
    const { stdout: volumes } = await exec('docker', [
      'volume',
      'ls',
      '-q',
      '--filter',
      `label=baleen.run=${result.report.runId}`,
    ]);
    assert.equal(volumes.trim(), '');
  });

  it('a failing --prepare stops the run before any test container, shows its output, and exits 1', async () => {
    const result = await runBaleenWithReport([
      ...runShell(['--prepare', 'echo compiling; echo "syntax error" >&2; exit 3'], 'echo should not run'),
    ]);
    assert.equal(result.code, 1, result.stdout);
    assert.doesNotMatch(result.stdout, /▶ started/);
    assert.match(
      result.stdout,
      /prepare stage failed: the prepare stage failed with exit code 3; no test file was run/,
    );
    assert.match(result.stdout, /compiling/);
    assert.match(result.stdout, /syntax error/);
    assert.equal(result.report.files[0]?.status, 'cancelled');
  });

  it('--publish binds a host port that answers while the file runs, and reports it', async () => {
    const server =
      'require("http").createServer((req, res) => res.end("hello from " + process.env.BALEEN_FILE, () => process.exit(0))).listen(8080)';
    const client = startBaleen([
      'run',
      '--image',
      IMAGE,
      '--files',
      'load/load-01.feature',
      '--network',
      'bridge',
      '--publish',
      '8080',
      '--timeout',
      '60',
      '--',
      'node',
      '-e',
      server,
    ]);
    const hostPort = await client.waitForOutput(/port 8080\/tcp -> [^:\s]+:(\d+)/);
    let body = '';
    for (let tries = 0; tries < 100 && body === ''; tries += 1) {
      try {
        // A connection made while the container's network is still coming up can hang: each try has a deadline.
        body = await (await fetch(`http://127.0.0.1:${hostPort}/`, { signal: AbortSignal.timeout(1_000) })).text();
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    assert.equal(body, 'hello from load/load-01.feature');
    const result = await client.done;
    assert.equal(result.code, 0, result.stdout);
  });

  it('--keep on a file that cannot start still names the container it kept', async () => {
    // The host port is taken, so the engine creates the container and then cannot start it.
    const taken = createServer().listen(0, '0.0.0.0');
    await once(taken, 'listening');
    const port = (taken.address() as AddressInfo).port;
    try {
      const result = await runBaleenWithReport([
        ...['run', '--image', IMAGE, '--files', 'load/load-01.feature', '--keep'],
        ...['--network', 'bridge', '--publish', `8080:${port}`, '--', 'true'],
      ]);
      assert.equal(result.code, 2, result.stdout + result.stderr);
      assert.equal(result.report.files[0]?.status, 'error');
      const id = /container kept \(--keep\): docker rm -f ([0-9a-f]{64})/.exec(result.stdout)?.[1];
      assert.ok(id, result.stdout);
      assert.deepEqual(await containersWithLabels([`baleen.run=${result.report.runId}`]), [id]);
      await exec('docker', ['rm', '-f', id]);
    } finally {
      taken.close();
    }
  });

  it('baleen run with node --test: a passing file passes, a failing one fails, exit 1', async () => {
    const result = await runBaleenWithReport([
      'run',
      '--image',
      IMAGE,
      '--files',
      'node-tests',
      '--',
      'node',
      '--test',
      '{file}',
    ]);
    assert.equal(result.code, 1, result.stdout);
    const byFile = Object.fromEntries(result.report.files.map((file) => [file.file, file.status]));
    assert.deepEqual(byFile, { 'node-tests/failing.test.mjs': 'failed', 'node-tests/passing.test.mjs': 'passed' });
    const failing = result.report.files.find((file) => file.file.includes('failing'));
    assert.match(failing?.stdout ?? '', /subtracts wrongly on purpose/);
  });

  it('a config-file project runs; flags override it; an unknown key is an error naming the key and the file', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'baleen-config-'));
    const config = path.join(dir, 'baleen.config.yaml');
    await writeFile(
      config,
      [
        `image: ${IMAGE}`,
        'concurrency: 2',
        'projects:',
        '  smoke:',
        '    files: [features/cart.feature, features/login.feature]',
        '    env: { FROM_CONFIG: yes }',
        '  nothing:',
        '    files: [features/does-not-exist.feature]',
        '',
      ].join('\n'),
    );
    const smoke = await runBaleenWithReport(['cucumber', '--config', config, '--project', 'smoke']);
    assert.equal(smoke.code, 0, smoke.stdout + smoke.stderr);
    assert.deepEqual(smoke.report.files.map((file) => file.file).sort(), [
      'features/cart.feature',
      'features/login.feature',
    ]);
    assert.match(smoke.stdout, /concurrency 2/);

    const overridden = await runBaleenWithReport([
      'cucumber',
      '--config',
      config,
      '--project',
      'smoke',
      '--files',
      'features/search.feature',
    ]);
    assert.equal(overridden.code, 0);
    assert.deepEqual(
      overridden.report.files.map((file) => file.file),
      ['features/search.feature'],
    );

    const unknown = path.join(dir, 'bad.json');
    await writeFile(unknown, JSON.stringify({ image: IMAGE, projects: { api: { concurency: 3 } } }));
    const bad = await runBaleen(['cucumber', '--config', unknown, '--files', 'features']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /bad\.json: unknown key 'concurency' \(did you mean 'concurrency'\?\) at projects\.api/);

    const missing = await runBaleen(['cucumber', '--config', config, '--project', 'api']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /no project 'api' \(projects: smoke, nothing\)/);
  });

  it('a shared server refuses what it does not allow, naming each thing and the flag that would allow it', async () => {
    const server = startServerProcess([
      '--port',
      '0',
      '--log-level',
      'warn',
      '--state-dir',
      await mkdtemp(path.join(tmpdir(), 'baleen-state-')),
    ]);
    const url = await server.waitForOutput(/listening on (ws:\/\/\S+)/);
    try {
      const refused = await runBaleen([
        ...runShell(
          ['--server', url, '--privileged', '--network', 'bridge', '--volume', '/etc:/host-etc:ro', '--keep'],
          'true',
        ),
      ]);
      assert.equal(refused.code, 2);
      for (const expected of [
        /--privileged is not allowed on this server \(its operator can allow it with baleen-server --allow-privileged\)/,
        /network 'bridge' is not allowed .* --allow-network bridge/,
        /--volume is not allowed .* --allow-volumes/,
        /--keep is not allowed .* --allow-keep/,
      ]) {
        assert.match(refused.stderr, expected);
      }
      assert.deepEqual(await containersWithLabels(['baleen.managed=true']), []);
    } finally {
      server.child.kill('SIGINT');
      await server.done;
    }
  });

  it('--build builds the image first with its build args and log; a failed build stops the run with exit 2', async () => {
    const context = await mkdtemp(path.join(tmpdir(), 'baleen-build-'));
    await writeFile(
      path.join(context, 'Dockerfile'),
      `FROM ${IMAGE}\nARG GREETING=none\nRUN echo "built with $GREETING" > /built.txt\n`,
    );
    await writeFile(path.join(context, 'Broken.Dockerfile'), `FROM ${IMAGE}\nRUN echo breaking; exit 5\n`);
    const tag = `baleen-e2e-build:${path.basename(context).toLowerCase()}`;
    try {
      const built = await runBaleenWithReport([
        ...['run', '--build', context, '--build-arg', 'GREETING=hello', '--tag', tag],
        ...['--files', 'load/load-01.feature', '--', 'cat', '/built.txt'],
      ]);
      assert.equal(built.code, 0, built.stdout + built.stderr);
      assert.match(built.stdout, /build │ Step 3\/4 : RUN echo "built with \$GREETING"/);
      // `cat /built.txt FILE`: the built file first, then the feature file appended as the last argument.
      assert.match(built.report.files[0]?.stdout ?? '', /^built with hello\nFeature: Load fixture 01/);

      const before = await allContainerIds();
      const broken = await runBaleen([
        ...['run', '--build', context, '--dockerfile', 'Broken.Dockerfile', '--tag', `${tag}-broken`],
        ...['--files', 'load/load-01.feature', '--', 'true'],
      ]);
      assert.equal(broken.code, 2);
      assert.match(broken.stdout, /build │ breaking/);
      assert.match(broken.stderr, /failed: The command .* returned a non-zero code: 5 — the run did not start/);
      assert.doesNotMatch(broken.stdout, /accepted/);
      assert.deepEqual(await allContainerIds(), before, 'the failed step leaves no intermediate container behind');
    } finally {
      await exec('docker', ['rmi', '-f', tag]).catch(() => undefined);
    }
  });

  it('--pull: never with a missing image, and always without a registry, fail the run with one clear message', async () => {
    const never = await runBaleen(runShell(['--pull', 'never', '--image', 'baleen-no-such-image:1'], 'true'));
    assert.equal(never.code, 2);
    assert.match(never.stderr, /image 'baleen-no-such-image:1' not found/);
    const always = await runBaleen(runShell(['--pull', 'always'], 'true'));
    assert.equal(always.code, 2);
    assert.match(always.stderr, new RegExp(`could not pull image '${IMAGE}'.*--pull missing would use it`));
  });
});
