import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { WebSocket } from 'ws';
import { runBaleen, runBaleenWithReport, startBaleen, startServerProcess, type RunningCli } from './support/cli.js';
import { containersWithLabels } from './support/docker.js';
import { IMAGE } from './support/paths.js';

const exec = promisify(execFile);
/** 1 GiB of text on stdout, written by node in the container with back-pressure: 16384 writes of 64 KiB. */
const FLOOD_1GIB =
  `node -e 'const b = Buffer.alloc(65536, 120); let n = 0; const w = () => { while (n < 16384) { n++; ` +
  `if (!process.stdout.write(b)) return process.stdout.once("drain", w); } }; w()'`;
const cucumber = (...args: string[]) => ['cucumber', '--image', IMAGE, ...args];

async function startServer(
  args: string[],
  stateDir?: string,
): Promise<{ server: RunningCli; url: string; stateDir: string }> {
  const dir = stateDir ?? (await mkdtemp(path.join(tmpdir(), 'baleen-state-')));
  const server = startServerProcess(['--port', '0', '--log-level', 'warn', '--state-dir', dir, ...args]);
  const url = await server.waitForOutput(/listening on (wss?:\/\/\S+)/);
  return { server, url, stateDir: dir };
}

async function stop(server: RunningCli): Promise<void> {
  if (server.child.exitCode !== null || server.child.signalCode !== null) return;
  server.child.kill('SIGINT');
  await server.done;
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (await check()) return Date.now() - started;
    await sleep(250);
  }
  throw new Error(`condition not met within ${timeoutMs} ms`);
}

describe('a shared server (real processes, real engine)', () => {
  it('checks tokens at the HTTP upgrade: a wrong token gets 401 and no WebSocket; the client says so and exits 2', async () => {
    const { server, url } = await startServer(['--token', 'right-token']);
    try {
      const status = await new Promise<number | undefined>((resolve) => {
        const socket = new WebSocket(url, { headers: { authorization: 'Bearer wrong-token' } });
        socket.on('unexpected-response', (_req, res) => resolve(res.statusCode));
        socket.on('open', () => resolve(101));
        socket.on('error', () => resolve(undefined));
      });
      assert.equal(status, 401);
      const refused = await runBaleen(
        cucumber('--files', 'features/cart.feature', '--server', url, '--token', 'wrong-token'),
      );
      assert.equal(refused.code, 2);
      assert.match(refused.stderr, /authentication failed/);
      const missing = await runBaleen(cucumber('--files', 'features/cart.feature', '--server', url));
      assert.equal(missing.code, 2);
      const allowed = await runBaleen(cucumber('--files', 'features/cart.feature', '--server', url), {
        env: { BALEEN_TOKEN: 'right-token' },
      });
      assert.equal(allowed.code, 0, allowed.stderr);
    } finally {
      await stop(server);
    }
  });

  it('refuses to listen beyond loopback without tokens', async () => {
    const server = startServerProcess(['--host', '0.0.0.0', '--port', '0']);
    const result = await server.done;
    assert.equal(result.code, 2);
    assert.match(result.stderr, /refusing to listen on 0\.0\.0\.0 without tokens/);
  });

  it('refuses an image outside --allow-image before any container exists', async () => {
    const { server, url } = await startServer(['--allow-image', 'baleen-*']);
    try {
      const refused = await runBaleen([
        'cucumber',
        '--image',
        'alpine:3',
        '--files',
        'features/cart.feature',
        '--server',
        url,
      ]);
      assert.equal(refused.code, 2);
      assert.match(refused.stderr, /image 'alpine:3' is not allowed on this server/);
      const allowed = await runBaleen(cucumber('--files', 'features/cart.feature', '--server', url));
      assert.equal(allowed.code, 0);
    } finally {
      await stop(server);
    }
  });

  it('stays up through 10,000 malformed, oversized and out-of-order frames and then serves a valid client', async () => {
    const { server, url } = await startServer([]);
    try {
      const frames = [
        '{',
        'null',
        '[]',
        '{"type":"cancel"}',
        '{"type":"run"}',
        JSON.stringify({ type: 'hello', protocolVersion: 'x' }),
        '\u0000\u0001',
      ];
      let sent = 0;
      for (let connection = 0; connection < 10 && sent < 10_000; connection += 1) {
        const socket = new WebSocket(url);
        await new Promise((resolve) => socket.once('open', resolve));
        for (let i = 0; i < 1_000; i += 1) socket.send(frames[i % frames.length] ?? '');
        sent += 1_000;
        await sleep(50);
        socket.close();
      }
      // Oversized: past the 1 MiB frame limit the server closes that connection, nothing more.
      const big = new WebSocket(url);
      await new Promise((resolve) => big.once('open', resolve));
      const closed = new Promise<number>((resolve) => big.once('close', (code) => resolve(code)));
      big.send('x'.repeat(2 * 1024 * 1024));
      assert.equal(await closed, 1009);
      const health = await fetch(url.replace('ws://', 'http://') + '/healthz');
      assert.equal(health.status, 200);
      const valid = await runBaleen(cucumber('--files', 'features/cart.feature', '--server', url));
      assert.equal(valid.code, 0);
      assert.equal(sent, 10_000);
    } finally {
      await stop(server);
    }
  });

  it('after kill -9 with 20 containers running and a restart, none remain 10 s later — and another server keeps its own', async () => {
    // Without its reaper (which would remove them at once, see hostile-tenant.test.ts): what a restart sweeps.
    const first = await startServer(['--capacity', '20', '--no-reaper']);
    const other = await startServer(['--capacity', '2']);
    const clients = [
      startBaleen(
        cucumber('--files', 'load', '--server', first.url, '--concurrency', '20', '--env', 'LOAD_WAIT_MS=300000'),
      ),
      startBaleen(cucumber('--files', 'edge/timeout.feature', '--server', other.url, '--timeout', '120')),
    ];
    try {
      const firstRun = await clients[0]!.waitForOutput(/run (run-[0-9a-f]+) accepted/);
      const otherRun = await clients[1]!.waitForOutput(/run (run-[0-9a-f]+) accepted/);
      await waitUntil(
        async () => (await containersWithLabels([`baleen.run=${firstRun}`], { running: true })).length >= 20,
        90_000,
      );
      await waitUntil(
        async () => (await containersWithLabels([`baleen.run=${otherRun}`], { running: true })).length >= 1,
        30_000,
      );
      first.server.child.kill('SIGKILL');
      await first.server.done;
      assert.equal(
        (await containersWithLabels([`baleen.run=${firstRun}`], { running: true })).length,
        20,
        'the crash left its 20 running containers behind',
      );

      const restarted = await startServer([], first.stateDir);
      try {
        await sleep(10_000);
        assert.deepEqual(await containersWithLabels([`baleen.run=${firstRun}`]), [], 'none remain 10 s later');
        assert.ok(
          (await containersWithLabels([`baleen.run=${otherRun}`])).length > 0,
          'the other server’s container is kept',
        );
      } finally {
        await stop(restarted.server);
      }
    } finally {
      for (const client of clients) client.child.kill('SIGKILL');
      await stop(other.server);
      await waitUntil(async () => (await containersWithLabels(['baleen.managed=true'])).length === 0, 30_000);
    }
  });

  it('a client killed with -9 mid-run has its containers removed within 40 s', async () => {
    const { server, url } = await startServer([]);
    try {
      const client = startBaleen(
        cucumber('--files', 'edge/timeout.feature', 'edge/slow.feature', '--server', url, '--timeout', '120'),
      );
      const runId = await client.waitForOutput(/run (run-[0-9a-f]+) accepted/);
      await waitUntil(
        async () => (await containersWithLabels([`baleen.run=${runId}`], { running: true })).length >= 1,
        30_000,
      );
      client.child.kill('SIGKILL');
      const took = await waitUntil(
        async () => (await containersWithLabels([`baleen.run=${runId}`])).length === 0,
        40_000,
      );
      assert.ok(took < 40_000);
    } finally {
      await stop(server);
    }
  });

  it('serves clients in turn: on capacity 4, a 4-file client finishes long before a 40-file one', async () => {
    const { server, url } = await startServer(['--capacity', '4']);
    try {
      const big = startBaleen(cucumber('--files', 'load', '--server', url, '--concurrency', '4'));
      await big.waitForOutput(/▶ started/);
      const small = await runBaleen(cucumber('--files', 'load/load-0[1-4].feature', '--server', url));
      assert.equal(small.code, 0, small.stdout);
      assert.match(small.stdout, /4 files \(4 passed\)/);
      // Served in turn, the small run is done while the big one still has most of its files ahead of it.
      assert.equal(big.child.exitCode, null, 'the big run is still going when the small one has finished');
      const bigFinished = big.output().match(/^✔ passed /gm)?.length ?? 0;
      assert.ok(bigFinished < 20, `the big run had already finished ${bigFinished} of its 40 files`);
      const bigResult = await big.done;
      assert.equal(bigResult.code, 0);
      assert.match(bigResult.stdout, /40 files \(40 passed\)/);
    } finally {
      await stop(server);
    }
  });

  it('SIGTERM drains: running runs finish, then the server exits 0', async () => {
    const { server, url } = await startServer(['--drain-timeout', '60']);
    const client = startBaleen(cucumber('--files', 'features/cart.feature', 'features/login.feature', '--server', url));
    await client.waitForOutput(/▶ started/);
    server.child.kill('SIGTERM');
    const [clientResult, serverResult] = await Promise.all([client.done, server.done]);
    assert.equal(clientResult.code, 0, clientResult.stdout);
    assert.equal(serverResult.code, 0);
  });

  it('serves /healthz and Prometheus /metrics', async () => {
    const { server, url } = await startServer([]);
    try {
      await runBaleen(cucumber('--files', 'features/cart.feature', 'edge/failing.feature', '--server', url));
      const base = url.replace('ws://', 'http://');
      const health = (await (await fetch(`${base}/healthz`)).json()) as {
        status: string;
        engine: { reachable: boolean };
      };
      assert.equal(health.status, 'ok');
      assert.equal(health.engine.reachable, true);
      const metrics = await (await fetch(`${base}/metrics`)).text();
      assert.match(metrics, /baleen_files_total\{status="passed"\} 1/);
      assert.match(metrics, /baleen_files_total\{status="failed"\} 1/);
      assert.match(metrics, /baleen_runs_total\{status="failed"\} 1/);
      assert.match(metrics, /baleen_container_start_seconds_count 2/);
      assert.match(metrics, /baleen_queue_depth 0/);
    } finally {
      await stop(server);
    }
  });

  it('holds a fork bomb with the pids limit, stays responsive, and removes the container', async () => {
    const { server, url } = await startServer(['--pids-limit', '64']);
    try {
      const client = startBaleen(
        cucumber(
          '--files',
          'features/cart.feature',
          '--server',
          url,
          '--timeout',
          '15',
          '--before-command',
          'bomb() { bomb | bomb & }; bomb; sleep 30',
        ),
      );
      const runId = await client.waitForOutput(/run (run-[0-9a-f]+) accepted/);
      await waitUntil(
        async () => (await containersWithLabels([`baleen.run=${runId}`], { running: true })).length === 1,
        30_000,
      );
      const [id] = await containersWithLabels([`baleen.run=${runId}`], { running: true });
      const { stdout } = await exec('docker', [
        'inspect',
        '--format',
        '{{.HostConfig.PidsLimit}} {{.HostConfig.Privileged}} {{json .HostConfig.SecurityOpt}} {{.HostConfig.NetworkMode}}',
        id ?? '',
      ]);
      assert.equal(stdout.trim(), '64 false ["no-new-privileges"] none');
      await sleep(3_000);
      const before = Date.now();
      const health = await fetch(url.replace('ws://', 'http://') + '/healthz');
      assert.equal(health.status, 200);
      assert.ok(Date.now() - before < 5_000, 'the server answers while the bomb runs');
      const result = await client.done;
      assert.equal(result.code, 1, result.stdout);
      assert.deepEqual(await containersWithLabels([`baleen.run=${runId}`]), []);
    } finally {
      await stop(server);
    }
  });

  it('a file writing 1 GiB to stdout leaves the server’s memory growth under 64 MiB', async () => {
    const { server, url } = await startServer([]);
    const pid = server.child.pid ?? 0;
    const rssKb = async () => Number(/VmRSS:\s+(\d+)/.exec(await readFile(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
    try {
      // Warm up first, so the baseline includes what any run costs (code loaded, sockets, buffers).
      await runBaleen(
        cucumber('--files', 'features/cart.feature', '--server', url, '--before-command', 'head -c 10000000 /dev/zero'),
      );
      await sleep(500);
      const baseline = await rssKb();
      let peak = baseline;
      const flood = runBaleenWithReport(
        cucumber('--files', 'features/cart.feature', '--server', url, '--before-command', FLOOD_1GIB),
      );
      let done = false;
      void flood.finally(() => {
        done = true;
      });
      while (!done) {
        peak = Math.max(peak, await rssKb());
        await sleep(200);
      }
      const { code, report } = await flood;
      assert.equal(code, 0);
      assert.equal(report.files[0]?.stdoutTruncated, true);
      const growthMiB = (peak - baseline) / 1024;
      console.log(
        `1 GiB flood: server RSS ${Math.round(baseline / 1024)} MiB -> peak ${Math.round(peak / 1024)} MiB (growth ${growthMiB.toFixed(1)} MiB)`,
      );
      assert.ok(growthMiB < 64, `growth ${growthMiB.toFixed(1)} MiB`);
    } finally {
      await stop(server);
    }
  });

  it('tells a queued run its position, and again when it gets a slot', async () => {
    const { server, url } = await startServer(['--capacity', '1']);
    try {
      const first = startBaleen(cucumber('--files', 'edge/slow.feature', '--server', url));
      await first.waitForOutput(/▶ started/);
      const second = await runBaleen(cucumber('--files', 'features/cart.feature', '--server', url));
      assert.equal(second.code, 0);
      const queued = second.stdout.indexOf('queued for the server’s capacity at position 1');
      const slot = second.stdout.indexOf('got a slot of the server’s capacity');
      assert.ok(queued !== -1 && slot > queued, second.stdout);
      assert.equal((await first.done).code, 0);
    } finally {
      await stop(server);
    }
  });

  it('serves wss:// with --tls-cert/--tls-key; the client trusts it with --ca', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'baleen-tls-'));
    await exec('openssl', [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      `${dir}/key.pem`,
      '-out',
      `${dir}/cert.pem`,
    ]);
    const { server, url } = await startServer([
      '--tls-cert',
      `${dir}/cert.pem`,
      '--tls-key',
      `${dir}/key.pem`,
      '--token',
      't0k',
    ]);
    try {
      assert.match(url, /^wss:\/\//);
      const ok = await runBaleen(
        cucumber('--files', 'features/cart.feature', '--server', url, '--ca', `${dir}/cert.pem`, '--token', 't0k'),
      );
      assert.equal(ok.code, 0, ok.stderr);
      const untrusted = await runBaleen(
        cucumber('--files', 'features/cart.feature', '--server', url, '--token', 't0k'),
      );
      assert.equal(untrusted.code, 2);
    } finally {
      await stop(server);
    }
  });
});
