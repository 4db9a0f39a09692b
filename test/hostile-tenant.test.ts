import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { promisify } from 'node:util';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ClientMessage, ServerMessage } from '@baleen/protocol';
import { runBaleen, startServerProcess, type RunningCli } from './support/cli.js';
import { containersWithLabels } from './support/docker.js';
import { IMAGE } from './support/paths.js';
import { ProtocolClient, sha256, testTree } from './support/protocol-client.js';

const TEAM_A = 'token-of-team-a';
const TEAM_B = 'token-of-team-b';

const exec = promisify(execFile);

async function startServer(
  args: string[] = [],
  env: NodeJS.ProcessEnv = {},
): Promise<{ server: RunningCli; url: string; tokenFile: string; dir: string }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'baleen-hostile-'));
  const tokenFile = path.join(dir, 'tokens');
  await writeFile(tokenFile, `${TEAM_A}\n${TEAM_B}\n`);
  const server = startServerProcess(
    ['--port', '0', '--log-level', 'warn', '--state-dir', dir, '--token-file', tokenFile, ...args],
    { env },
  );
  const url = await server.waitForOutput(/listening on (ws:\/\/\S+)/);
  return { server, url, tokenFile, dir };
}

async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (await check()) return Date.now() - started;
    await sleep(100);
  }
  throw new Error(`${what}: not within ${timeoutMs} ms`);
}

const rssMiB = async (pid: number): Promise<number> =>
  Number(/VmRSS:\s+(\d+)/.exec(await readFile(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

async function stop(server: RunningCli): Promise<void> {
  if (server.child.exitCode !== null || server.child.signalCode !== null) return;
  server.child.kill('SIGINT');
  await server.done;
}

const stdoutOf = (files: ServerMessage[]): string =>
  files.map((message) => (message.type === 'file-finished' ? message.stdout : '')).join('');

/** Prints a file's sha256 from inside the container (the image has node, not sha256sum). */
const HASH_SCRIPT =
  'node -e \'const f=process.argv[1];process.stdout.write(f+" "+require("crypto").createHash("sha256").update(require("fs").readFileSync(f)).digest("hex")+"\\n")\' "$1"';

describe('a hostile tenant on a shared server (real server process, real engine, raw protocol)', () => {
  let server: RunningCli;
  let url = '';

  before(async () => {
    ({ server, url } = await startServer());
  });

  after(async () => {
    await stop(server);
  });

  it('cannot put its bytes under another team’s blob: racing uploads of one hash never change a stored blob', async () => {
    const honest = testTree({ 'probe.sh': 'echo honest code of team A\n' });
    const [hash] = [...honest.blobs.keys()];
    assert.ok(hash !== undefined);
    const evil = Buffer.from('echo EVIL code of team B #\n');
    assert.equal(evil.length, honest.entries[0]?.kind === 'file' ? honest.entries[0].size : -1);

    // B opens an upload of that blob and sends 0 bytes, leaving its handle open...
    const first = await ProtocolClient.greeted(url, TEAM_B);
    first.send({ type: 'sync-offer', syncRef: 'x', treeHash: honest.treeHash });
    await first.next((message) => message.type === 'sync-wanted' && message.manifest);
    first.send({ type: 'sync-manifest', syncRef: 'x', entries: honest.entries, final: true });
    await first.next((message) => message.type === 'sync-wanted' && !message.manifest);
    first.send({ type: 'sync-blob', syncRef: 'x', hash, offset: 0, data: '', final: false });
    await first.next((message) => message.type === 'sync-progress' || message.type === 'error');
    // ...uploads the real bytes on a second connection...
    const second = await ProtocolClient.greeted(url, TEAM_B);
    assert.equal((await second.sync(honest)).type, 'sync-ready');
    // ...then writes its own bytes through the first handle.
    first.send({ type: 'sync-blob', syncRef: 'x', hash, offset: 0, data: evil.toString('base64'), final: true });
    await first.next((message) => message.type === 'error' || message.type === 'sync-ready');

    const a = await ProtocolClient.greeted(url, TEAM_A);
    assert.equal((await a.sync(honest)).type, 'sync-ready');
    for (const attempt of [1, 2]) {
      const { finished, files } = await a.run({
        image: IMAGE,
        files: ['probe.sh'],
        script: 'cat "$1"',
        treeHash: honest.treeHash,
      });
      assert.equal(finished?.type, 'run-finished');
      assert.equal(stdoutOf(files), 'echo honest code of team A\n', `run ${attempt} ran the bytes team A sent`);
    }
    for (const client of [first, second, a]) client.close();
  });

  it('cannot run with another team’s tree by naming its hash, nor get its blobs by listing them', async () => {
    const secret = testTree({ 'secret.txt': `team A's secret ${Math.random()}\n`, 'other.txt': 'x\n' });
    const a = await ProtocolClient.greeted(url, TEAM_A);
    assert.equal((await a.sync(secret)).type, 'sync-ready');

    const b = await ProtocolClient.greeted(url, TEAM_B);
    // The tree by its hash alone.
    const byHash = await b.run({ image: IMAGE, files: ['secret.txt'], script: 'cat "$1"', treeHash: secret.treeHash });
    assert.equal(byHash.accepted.type, 'error', `a run naming team A's tree was accepted: ${stdoutOf(byHash.files)}`);
    assert.match(JSON.stringify(byHash.accepted), /is not on this server: sync it first/);

    // A manifest of its own listing team A's blob: the server asks for the bytes.
    const secretEntry = secret.entries.find((entry) => entry.path === 'secret.txt');
    assert.ok(secretEntry?.kind === 'file');
    const stolen = testTree({});
    stolen.entries.push({ ...secretEntry, path: 'stolen.txt' });
    const { treeHashOf } = await import('@baleen/protocol');
    stolen.treeHash = treeHashOf(stolen.entries);
    b.send({ type: 'sync-offer', syncRef: 'steal', treeHash: stolen.treeHash });
    await b.next((message) => message.type === 'sync-wanted' && message.syncRef === 'steal');
    b.send({ type: 'sync-manifest', syncRef: 'steal', entries: stolen.entries, final: true });
    const answer = await b.next((message) => 'syncRef' in message && message.syncRef === 'steal');
    assert.equal(answer.type, 'sync-wanted', `listing team A's blob gave ${answer.type} without a byte sent`);
    assert.deepEqual(answer.type === 'sync-wanted' ? answer.blobs : [], [secretEntry.hash]);
    a.close();
    b.close();
  });

  it('learns nothing from sync-wanted about which contents are stored (no membership oracle)', async () => {
    const known = ['package.json', 'README.md', '.gitignore', 'index.js'].map((name) => `contents of ${name}\n`);
    const a = await ProtocolClient.greeted(url, TEAM_A);
    assert.equal(
      (await a.sync(testTree(Object.fromEntries(known.map((text, i) => [`f${i}`, text]))))).type,
      'sync-ready',
    );

    const b = await ProtocolClient.greeted(url, TEAM_B);
    const guesses = testTree(Object.fromEntries(known.map((text, i) => [`guess${i}`, text])));
    b.send({ type: 'sync-offer', syncRef: 'guess', treeHash: guesses.treeHash });
    await b.next((message) => message.type === 'sync-wanted' && message.manifest);
    b.send({ type: 'sync-manifest', syncRef: 'guess', entries: guesses.entries, final: true });
    const wanted = await b.next((message) => 'syncRef' in message && message.syncRef === 'guess');
    assert.equal(wanted.type, 'sync-wanted');
    const confirmed = known
      .map((text) => sha256(text))
      .filter((hash) => !(wanted.type === 'sync-wanted' && wanted.blobs.includes(hash)));
    assert.equal(confirmed.length, 0, `${confirmed.length} of 4 guessed hashes confirmed as stored`);
    a.close();
    b.close();
  });

  it('cannot reach another host through an image name, and the server and other runs survive it', async () => {
    let connections = 0;
    const listener: Server = createServer((socket) => {
      connections += 1;
      socket.destroy();
    });
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    const port = (listener.address() as { port: number }).port;
    const honest = await ProtocolClient.greeted(url, TEAM_A);
    const honestRun = honest.run({ image: IMAGE, files: ['x'], script: 'sleep 4; echo survived', timeoutSeconds: 60 });
    try {
      await sleep(1_500);
      const b = await ProtocolClient.greeted(url, TEAM_B);
      for (const image of [
        `registry.example.com/../../127.0.0.1:${port}/x`,
        `registry.example.com/../../../127.0.0.1:${port}/x`,
        `127.0.0.1:${port}/../../x`,
      ]) {
        const { accepted, finished } = await b.run({ image, files: ['x'], script: 'true' });
        assert.ok(
          accepted.type === 'error' || (finished?.type === 'run-finished' && finished.status === 'error'),
          JSON.stringify(accepted),
        );
      }
      await sleep(500);
      assert.equal(server.child.exitCode, null, 'the server is still running');
      assert.equal(connections, 0, 'nothing connected to the port named in the image');
      const { finished, files } = await honestRun;
      assert.equal(finished?.type === 'run-finished' ? finished.status : undefined, 'passed');
      assert.equal(stdoutOf(files), 'survived\n');
      b.close();
    } finally {
      honest.close();
      listener.close();
    }
  });

  it('a tree naming a stored blob with another size is refused, and never takes the server down', async () => {
    const honest = await ProtocolClient.greeted(url, TEAM_A);
    const honestRun = honest.run({ image: IMAGE, files: ['x'], script: 'sleep 4; echo survived', timeoutSeconds: 60 });
    try {
      await sleep(1_500);
      const b = await ProtocolClient.greeted(url, TEAM_B);
      const real = testTree({ 'f.txt': `some file ${Math.random()}\n` });
      assert.equal((await b.sync(real)).type, 'sync-ready');
      const entry = real.entries[0];
      assert.ok(entry?.kind === 'file');
      const lying = testTree({});
      lying.entries.push({ ...entry, path: 'g.txt', size: entry.size + 10 });
      const { treeHashOf } = await import('@baleen/protocol');
      lying.treeHash = treeHashOf(lying.entries);
      const synced = await b.sync(lying);
      if (synced.type === 'sync-ready') {
        const { finished } = await b.run({
          image: IMAGE,
          files: ['g.txt'],
          script: 'cat "$1"',
          treeHash: lying.treeHash,
        });
        assert.notEqual(finished?.type === 'run-finished' ? finished.status : undefined, 'passed');
      } else {
        assert.match(JSON.stringify(synced), /SYNC_REJECTED/);
      }
      await sleep(500);
      assert.equal(server.child.exitCode, null, 'the server is still running');
      const { finished, files } = await honestRun;
      assert.equal(finished?.type === 'run-finished' ? finished.status : undefined, 'passed');
      assert.equal(stdoutOf(files), 'survived\n');
      b.close();
    } finally {
      honest.close();
    }
  });
});

describe('two honest clients syncing the same commit (real CLI)', () => {
  it('20 staggered rounds of a new commit synced by both at once: every run passes on identical bytes', async () => {
    const { server, url } = await startServer();
    const projects = await Promise.all([0, 1].map(() => mkdtemp(path.join(tmpdir(), 'baleen-honest-'))));
    try {
      for (let round = 1; round <= 20; round += 1) {
        // A new commit: a 1.5 MiB file (three chunks, so that the two uploads overlap) and a small one.
        const big = randomBytes(1536 * 1024);
        const note = `round ${round}\n`;
        for (const project of projects) {
          await writeFile(path.join(project, 'big.bin'), big);
          await writeFile(path.join(project, 'note.txt'), note);
        }
        // Same team on odd rounds, two teams on even ones.
        const tokens = round % 2 === 1 ? [TEAM_A, TEAM_A] : [TEAM_A, TEAM_B];
        const runs = projects.map(async (project, i) => {
          if (i === 1) await sleep(Math.floor(Math.random() * 40));
          return runBaleen(
            [
              'run',
              '--image',
              IMAGE,
              '--server',
              url,
              '--sync',
              '--files',
              'big.bin',
              'note.txt',
              '--show-output',
            ].concat(['--', 'sh', '-c', HASH_SCRIPT, 'sh', '{file}']),
            { cwd: project, env: { BALEEN_TOKEN: tokens[i] } },
          );
        });
        const results = await Promise.all(runs);
        for (const result of results) {
          assert.equal(result.code, 0, `round ${round}:\n${result.stdout}\n${result.stderr}`);
          assert.ok(
            result.stdout.includes(`big.bin ${sha256(big)}`),
            `round ${round}: big.bin as sent\n${result.stdout}`,
          );
          assert.ok(result.stdout.includes(`note.txt ${sha256(note)}`), `round ${round}: note.txt as sent`);
        }
      }
    } finally {
      await stop(server);
    }
  });
});

describe('hardening against a tenant with a valid token (real server process)', () => {
  it('closes silent sockets at their deadline; 1,100 of them under a 1,024-descriptor limit do not stop a real client', async () => {
    const { server, url } = await startServer(['--handshake-timeout', '3'], {});
    const pid = server.child.pid ?? 0;
    await exec('prlimit', ['--pid', String(pid), '--nofile=1024:1024']);
    const port = Number(new URL(url).port);
    const silent: Socket[] = [];
    let closedByServer = 0;
    try {
      for (let i = 0; i < 1_100; i += 1) {
        const socket = connect(port, '127.0.0.1');
        socket.on('error', () => {});
        socket.on('close', () => (closedByServer += 1));
        silent.push(socket);
        if (i % 100 === 99) await sleep(20);
      }
      const real = await runBaleen(
        ['cucumber', '--image', IMAGE, '--files', 'features/cart.feature', '--server', url],
        {
          env: { BALEEN_TOKEN: TEAM_A },
        },
      );
      assert.equal(real.code, 0, real.stdout + real.stderr);
      await waitUntil(() => closedByServer === silent.length, 10_000, 'every silent socket closed by the server');
    } finally {
      for (const socket of silent) socket.destroy();
      await stop(server);
    }
  });

  it('a connection that never says hello is closed; idle sessions are closed; connections per token are capped', async () => {
    const { server, url } = await startServer([
      '--handshake-timeout',
      '1',
      '--idle-timeout',
      '2',
      '--max-connections-per-token',
      '5',
    ]);
    try {
      const mute = await ProtocolClient.connect(url, TEAM_B);
      const muteClosed = await mute.closed;
      assert.equal(muteClosed.code, 4003);
      assert.match(muteClosed.reason, /no hello/);

      const idle = await Promise.all([1, 2, 3, 4, 5].map(() => ProtocolClient.greeted(url, TEAM_B)));
      await assert.rejects(ProtocolClient.connect(url, TEAM_B), /HTTP 503/);
      // Another token is not held back by B's connections.
      const a = await ProtocolClient.greeted(url, TEAM_A);
      const closes = await Promise.all(idle.map((client) => client.closed));
      assert.deepEqual(
        closes.map((close) => close.code),
        [4004, 4004, 4004, 4004, 4004],
      );
      // Once they are gone, B may connect again.
      const again = await ProtocolClient.greeted(url, TEAM_B);
      again.close();
      a.close();
    } finally {
      await stop(server);
    }
  });

  it('only answers to the server’s own pings count: a peer that does not read is dropped, unsolicited pongs or not', async () => {
    const { server, url } = await startServer(['--heartbeat-interval', '1']);
    try {
      const client = await ProtocolClient.greeted(url, TEAM_B);
      const runRef = 'long';
      client.send({
        type: 'run',
        runRef,
        image: IMAGE,
        files: ['x'],
        command: ['sh', '-c', 'sleep 60', 'sh', '{file}'],
        timeoutSeconds: 120,
        concurrency: 1,
        env: {},
      });
      const accepted = await client.next((message) => message.type === 'run-accepted');
      const runId = accepted.type === 'run-accepted' ? accepted.runId : '';
      await waitUntil(
        async () => (await containersWithLabels([`baleen.run=${runId}`], { running: true })).length === 1,
        30_000,
        'the run’s container running',
      );
      // A shared server's default for untrusted code: fewer capabilities, a CPU quota (1 per 2 cores here).
      const [id] = await containersWithLabels([`baleen.run=${runId}`]);
      const { stdout } = await exec('docker', [
        'inspect',
        '--format',
        '{{json .HostConfig.CapDrop}} {{.HostConfig.NanoCpus}}',
        id ?? '',
      ]);
      const cpus = Math.max(1, Math.floor(availableParallelism() / 2));
      assert.equal(stdout.trim(), `["NET_RAW","MKNOD","AUDIT_WRITE","SETFCAP","SETPCAP","SYS_CHROOT"] ${cpus * 1e9}`);
      // Stop reading, and keep sending pongs nobody asked for.
      const tcp = (client.socket as unknown as { _socket: Socket })._socket;
      tcp.pause();
      const pongs = setInterval(() => client.socket.pong(randomBytes(16)), 200);
      try {
        const took = await waitUntil(
          async () => (await containersWithLabels([`baleen.run=${runId}`])).length === 0,
          15_000,
          'the non-reading client dropped and its run’s container removed',
        );
        console.log(`non-reading peer sending unsolicited pongs: dropped and its container removed in ${took} ms`);
      } finally {
        clearInterval(pongs);
        client.close();
      }
    } finally {
      await stop(server);
    }
  });

  it('counts --max-runs-per-client per token, and a token revoked by SIGHUP closes its sessions and runs', async () => {
    const { server, url, tokenFile } = await startServer(['--max-runs-per-client', '2']);
    const long = (runRef: string): ClientMessage => ({
      type: 'run',
      runRef,
      image: IMAGE,
      files: ['x'],
      command: ['sh', '-c', 'sleep 60', 'sh', '{file}'],
      timeoutSeconds: 120,
      concurrency: 1,
      env: {},
    });
    try {
      const b1 = await ProtocolClient.greeted(url, TEAM_B);
      const b2 = await ProtocolClient.greeted(url, TEAM_B);
      b1.send(long('one'));
      b2.send(long('two'));
      const runIds: string[] = [];
      for (const [client, runRef] of [
        [b1, 'one'],
        [b2, 'two'],
      ] as const) {
        const accepted = await client.next((message) => 'runRef' in message && message.runRef === runRef);
        assert.equal(accepted.type, 'run-accepted', JSON.stringify(accepted));
        if (accepted.type === 'run-accepted') runIds.push(accepted.runId);
      }
      for (const runId of runIds) {
        await waitUntil(
          async () => (await containersWithLabels([`baleen.run=${runId}`], { running: true })).length === 1,
          30_000,
          `run ${runId} running`,
        );
      }
      b2.send(long('three'));
      const third = await b2.next((message) => 'runRef' in message && message.runRef === 'three');
      assert.equal(third.type, 'error');
      assert.match(JSON.stringify(third), /already has 2 runs in progress \(at most 2 at once, per token/);
      const a = await ProtocolClient.greeted(url, TEAM_A);
      a.send(long('a'));
      assert.equal((await a.next((message) => 'runRef' in message && message.runRef === 'a')).type, 'run-accepted');

      // /metrics is behind a token here.
      const base = url.replace('ws://', 'http://');
      assert.equal((await fetch(`${base}/metrics`)).status, 401);
      assert.equal((await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${TEAM_A}` } })).status, 200);

      await writeFile(tokenFile, `${TEAM_A}\n`);
      server.child.kill('SIGHUP');
      const [c1, c2] = await Promise.all([b1.closed, b2.closed]);
      assert.deepEqual([c1.code, c2.code], [4005, 4005]);
      for (const runId of runIds) {
        await waitUntil(
          async () => (await containersWithLabels([`baleen.run=${runId}`])).length === 0,
          30_000,
          `revoked token's run ${runId} removed`,
        );
      }
      await assert.rejects(ProtocolClient.connect(url, TEAM_B), /HTTP 401/);
      assert.ok(a.isOpen, 'the other token’s session goes on');
      a.close();
    } finally {
      await stop(server);
    }
    const open = await startServer(['--public-metrics']);
    try {
      assert.equal((await fetch(`${open.url.replace('ws://', 'http://')}/metrics`)).status, 200);
    } finally {
      await stop(open.server);
    }
  });

  it('--allow-image node* does not admit node.attacker.example/x; a symlink chain out of the tree is refused', async () => {
    const { server, url } = await startServer(['--allow-image', 'node*', '--allow-image', 'baleen-*']);
    try {
      const client = await ProtocolClient.greeted(url, TEAM_A);
      const refused = await client.run({ image: 'node.attacker.example/x', files: ['x'], script: 'true' });
      assert.equal(refused.accepted.type, 'error');
      assert.match(JSON.stringify(refused.accepted), /image 'node.attacker.example\/x' is not allowed/);
      const allowed = await client.run({ image: IMAGE, files: ['x'], script: 'true' });
      assert.equal(allowed.accepted.type, 'run-accepted');

      const chain = testTree({ 'd/up': '-> ..', esc: '-> d/up/..', 'f.txt': 'x\n' });
      const synced = await client.sync(chain);
      assert.equal(synced.type, 'error');
      assert.match(
        JSON.stringify(synced),
        /'esc' is a symlink \(-> d\/up\/..\) whose chain of links leads outside the tree/,
      );
      client.close();
    } finally {
      await stop(server);
    }
  });

  it('manifests count against --sync-cache-bytes and are evicted: ten 100k-entry trees stay within it', async () => {
    const { server, url } = await startServer(['--sync-cache-bytes', String(100 * 1024 * 1024)]);
    const pid = server.child.pid ?? 0;
    try {
      const before = await rssMiB(pid);
      let peak = before;
      const client = await ProtocolClient.greeted(url, TEAM_A);
      const empty = Buffer.alloc(0);
      const trees: string[] = [];
      for (let t = 0; t < 10; t += 1) {
        const files: Record<string, Buffer> = {};
        for (let i = 0; i < 100_000; i += 1) files[`tree-${t}/dir-${Math.floor(i / 1000)}/file-${i}.txt`] = empty;
        const tree = testTree(files);
        trees.push(tree.treeHash);
        const syncRef = `t${t}`;
        client.send({ type: 'sync-offer', syncRef, treeHash: tree.treeHash });
        await client.next((message) => message.type === 'sync-wanted' && message.syncRef === syncRef);
        for (let i = 0; i < tree.entries.length; i += 2_000) {
          client.send({
            type: 'sync-manifest',
            syncRef,
            entries: tree.entries.slice(i, i + 2_000),
            final: i + 2_000 >= tree.entries.length,
          });
        }
        const answer = await client.next((message) => 'syncRef' in message && message.syncRef === syncRef, 60_000);
        if (answer.type === 'sync-wanted') {
          client.send({ type: 'sync-blob', syncRef, hash: sha256(empty), offset: 0, data: '', final: true });
          const ready = await client.next(
            (message) => 'syncRef' in message && message.syncRef === syncRef && message.type !== 'sync-progress',
            60_000,
          );
          assert.equal(ready.type, 'sync-ready', JSON.stringify(ready));
        }
        peak = Math.max(peak, await rssMiB(pid));
      }
      // The first tree was evicted: offered again, its manifest is asked for.
      client.send({ type: 'sync-offer', syncRef: 'again', treeHash: trees[0] ?? '' });
      const again = await client.next((message) => 'syncRef' in message && message.syncRef === 'again');
      assert.ok(again.type === 'sync-wanted' && again.manifest, JSON.stringify(again));
      console.log(`ten 100k-entry trees: server RSS ${before.toFixed(0)} MiB -> peak ${peak.toFixed(0)} MiB`);
      assert.ok(peak - before < 400, `RSS grew by ${(peak - before).toFixed(0)} MiB`);
      client.close();
    } finally {
      await stop(server);
    }
  });

  it('half-sent blobs count against --sync-cache-bytes and go with their connection', async () => {
    const tmp = await mkdtemp(path.join(tmpdir(), 'baleen-hostile-tmp-'));
    await mkdir(tmp, { recursive: true });
    const { server, url } = await startServer(['--sync-cache-bytes', String(64 * 1024 * 1024)], { TMPDIR: tmp });
    const diskMiB = async (): Promise<number> => Number((await exec('du', ['-sk', tmp])).stdout.split('\t')[0]) / 1024;
    try {
      const clients: ProtocolClient[] = [];
      let refused = 0;
      let started = 0;
      const half = Buffer.alloc(512 * 1024, 1).toString('base64');
      for (let blob = 0; blob < 30; blob += 1) {
        if (blob % 4 === 0) clients.push(await ProtocolClient.greeted(url, TEAM_B));
        const client = clients.at(-1) as ProtocolClient;
        const tree = testTree({ [`b${blob}.bin`]: randomBytes(7 * 1024 * 1024) });
        const [hash] = [...tree.blobs.keys()];
        const syncRef = `half-${blob}`;
        client.send({ type: 'sync-offer', syncRef, treeHash: tree.treeHash });
        await client.next((message) => message.type === 'sync-wanted' && message.syncRef === syncRef);
        client.send({ type: 'sync-manifest', syncRef, entries: tree.entries, final: true });
        await client.next((message) => message.type === 'sync-wanted' && message.syncRef === syncRef);
        let offset = 0;
        for (let chunk = 0; chunk < 7; chunk += 1) {
          client.send({ type: 'sync-blob', syncRef, hash: hash ?? '', offset, data: half, final: false });
          offset += 512 * 1024;
          const reply = await client.next((message) => 'syncRef' in message && message.syncRef === syncRef);
          if (reply.type === 'error') {
            refused += 1;
            break;
          }
          if (chunk === 0) started += 1;
        }
      }
      const onDisk = await diskMiB();
      console.log(`30 half-sent 7 MiB blobs: ${started} taken, ${refused} refused, ${onDisk.toFixed(1)} MiB on disk`);
      assert.ok(onDisk <= 64, `${onDisk} MiB on disk`);
      assert.ok(refused > 0);
      for (const client of clients) client.close();
      await waitUntil(async () => (await diskMiB()) < 1, 10_000, 'half-sent blobs removed with their connections');
    } finally {
      await stop(server);
    }
  });
});

describe('a server that dies or hangs (the reaper, real engine)', () => {
  const sleeper = (timeoutSeconds: number): ClientMessage => ({
    type: 'run',
    runRef: 'sleepers',
    image: IMAGE,
    files: ['a', 'b'],
    command: ['sh', '-c', 'sleep 300', 'sh', '{file}'],
    timeoutSeconds,
    concurrency: 2,
    env: {},
  });
  const startRun = async (url: string, timeoutSeconds: number): Promise<string> => {
    const client = await ProtocolClient.greeted(url, TEAM_A);
    client.send(sleeper(timeoutSeconds));
    const accepted = await client.next((message) => message.type === 'run-accepted');
    const runId = accepted.type === 'run-accepted' ? accepted.runId : '';
    await waitUntil(
      async () => (await containersWithLabels([`baleen.run=${runId}`], { running: true })).length === 2,
      60_000,
      'both containers running',
    );
    return runId;
  };

  it('after kill -9, its containers are removed within 15 s with no restart', async () => {
    const { server, url } = await startServer();
    const runId = await startRun(url, 600);
    server.child.kill('SIGKILL');
    await server.done;
    const took = await waitUntil(
      async () => (await containersWithLabels([`baleen.run=${runId}`])).length === 0,
      15_000,
      'the dead server’s containers removed by its reaper',
    );
    console.log(`kill -9 of the server: its 2 running containers removed by the reaper in ${took} ms`);
  });

  it('while it hangs, a container past its deadline is killed by the reaper', async () => {
    const { server, url } = await startServer([], { BALEEN_REAPER_GRACE_SECONDS: '1' });
    try {
      const runId = await startRun(url, 3);
      server.child.kill('SIGSTOP');
      const took = await waitUntil(
        async () => (await containersWithLabels([`baleen.run=${runId}`], { running: true })).length === 0,
        20_000,
        'the hung server’s containers killed at their deadline',
      );
      console.log(`hung server: containers past their deadline killed by the reaper ${took} ms after the hang`);
    } finally {
      server.child.kill('SIGCONT');
      await stop(server);
    }
  });
});
