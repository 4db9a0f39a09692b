import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { treeHashOf } from '@baleen/protocol';
import { startBaleen, startServerProcess } from './support/cli.js';
import { IMAGE } from './support/paths.js';
import { ProtocolClient, testTree } from './support/protocol-client.js';

const exec = promisify(execFile);
const HONEST = 'honest-team-token';
const HOSTILE = 'hostile-team-token';
const READERS = ['non-reader-1', 'non-reader-2', 'non-reader-3'];

/** One hostile client's round: malformed frames, escaping image names, lying sizes, stolen hashes, racing uploads. */
async function hostileRound(url: string, round: number): Promise<void> {
  const client = await ProtocolClient.greeted(url, HOSTILE);
  try {
    for (const frame of ['{', 'null', '{"type":"run"}', '\u0000', JSON.stringify({ type: 'cancel', runId: 'x' })]) {
      client.raw(frame);
    }
    await client.run({ image: 'registry.example.com/../../127.0.0.1:9/x', files: ['x'], script: 'true' });
    const real = testTree({ 'f.txt': `hostile ${round} ${Math.random()}\n` });
    await client.sync(real);
    const entry = real.entries[0];
    if (entry?.kind === 'file') {
      const lying = testTree({});
      lying.entries.push({ ...entry, path: 'g.txt', size: entry.size + 10 });
      lying.treeHash = treeHashOf(lying.entries);
      await client.sync(lying);
    }
    await client.run({ image: IMAGE, files: ['x'], script: 'true', treeHash: randomBytes(32).toString('hex') });
    const chain = testTree({ 'd/up': '-> ..', esc: '-> d/up/..' });
    await client.sync(chain);
  } finally {
    client.close();
  }
}

/** Starts a run whose files print 4 MiB each, then stops reading. */
async function nonReader(url: string, token: string): Promise<ProtocolClient> {
  const client = await ProtocolClient.greeted(url, token);
  client.send({
    type: 'run',
    runRef: 'flood',
    image: IMAGE,
    files: Array.from({ length: 12 }, (_, i) => `f${i}`),
    command: ['node', '-e', 'process.stdout.write("x".repeat(4 << 20))', '{file}'],
    timeoutSeconds: 60,
    concurrency: 4,
    env: {},
  });
  await client.next((message) => message.type === 'run-accepted');
  (client.socket as unknown as { _socket: Socket })._socket.pause();
  return client;
}

describe('soak: a shared server under hostile load (real server process, real engine)', () => {
  it('1,000 silent sockets, 3 non-readers and 10 hostile clients beside an honest 16-file run, which passes', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'baleen-soak-'));
    const tokenFile = path.join(dir, 'tokens');
    await writeFile(tokenFile, [HONEST, HOSTILE, ...READERS].join('\n') + '\n');
    const server = startServerProcess([
      '--port',
      '0',
      '--log-level',
      'error',
      '--state-dir',
      dir,
      '--token-file',
      tokenFile,
      '--capacity',
      '4',
    ]);
    const url = await server.waitForOutput(/listening on (ws:\/\/\S+)/);
    const pid = server.child.pid ?? 0;
    await exec('prlimit', ['--pid', String(pid), '--nofile=1024:1024']);
    const port = Number(new URL(url).port);
    const base = url.replace('ws://', 'http://');
    const rssMiB = async (): Promise<number> =>
      Number(/VmRSS:\s+(\d+)/.exec(await readFile(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
    const loopP99 = async (): Promise<number> => {
      const text = await (await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${HONEST}` } })).text();
      return Number(/^nodejs_eventloop_lag_p99_seconds (\S+)/m.exec(text)?.[1] ?? 0) * 1000;
    };
    let running = true;
    const silent = new Set<Socket>();
    const readers: ProtocolClient[] = [];
    const background: Promise<unknown>[] = [];
    let hostileRounds = 0;
    let hostileFailures = 0;
    try {
      const baseline = await rssMiB();
      await loopP99(); // resets the histogram: the p99s below are of the soak alone
      // 1,000 silent sockets, kept at 1,000: each one the server closes is opened again a second later.
      const openSilent = (): void => {
        if (!running) return;
        const socket = connect(port, '127.0.0.1');
        socket.on('error', () => {});
        socket.on('close', () => {
          silent.delete(socket);
          setTimeout(openSilent, 1_000);
        });
        silent.add(socket);
      };
      for (let i = 0; i < 1_000; i += 1) {
        openSilent();
        if (i % 100 === 99) await sleep(10);
      }
      for (const token of READERS) readers.push(await nonReader(url, token));
      for (let h = 0; h < 10; h += 1) {
        background.push(
          (async () => {
            for (let round = 0; running; round += 1) {
              await hostileRound(url, round).then(
                () => (hostileRounds += 1),
                () => (hostileFailures += 1),
              );
              await sleep(200);
            }
          })(),
        );
      }
      let peak = baseline;
      let p99 = 0;
      const sampling = (async () => {
        for (let tick = 0; running; tick += 1) {
          peak = Math.max(peak, await rssMiB());
          if (tick % 10 === 9) p99 = Math.max(p99, await loopP99());
          await sleep(200);
        }
      })();
      const began = Date.now();
      const honest = startBaleen(
        [
          'cucumber',
          '--image',
          IMAGE,
          '--server',
          url,
          '--files',
          ...Array.from({ length: 16 }, (_, i) => `load/load-${String(i + 1).padStart(2, '0')}.feature`),
        ],
        { env: { BALEEN_TOKEN: HONEST } },
      );
      const result = await honest.done;
      const tookS = (Date.now() - began) / 1000;
      p99 = Math.max(p99, await loopP99());
      running = false;
      await sampling;
      console.log(
        `soak: honest 16-file run exit ${String(result.code)} in ${tookS.toFixed(1)} s; server RSS ${baseline.toFixed(0)} MiB -> ` +
          `peak ${peak.toFixed(0)} MiB; event-loop delay p99 (max of 2 s windows) ${p99.toFixed(1)} ms; ` +
          `${silent.size} silent sockets open at the end; hostile rounds ${hostileRounds} (${hostileFailures} ended by the server)`,
      );
      assert.equal(result.code, 0, result.stdout + result.stderr);
      assert.match(result.stdout, /16 files \(16 passed\)/);
      assert.equal(server.child.exitCode, null, 'the server is still running');
      assert.ok(peak < 768, `server RSS peak ${peak.toFixed(0)} MiB`);
    } finally {
      running = false;
      for (const socket of silent) socket.destroy();
      for (const reader of readers) reader.close();
      await Promise.allSettled(background);
      server.child.kill('SIGINT');
      await server.done;
    }
  });
});
