import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ServerMessage } from '@baleen/protocol';
import { startServerProcess, type RunningCli } from './support/cli.js';
import { IMAGE } from './support/paths.js';
import { ProtocolClient, sha256, testTree } from './support/protocol-client.js';

const TEAM_A = 'token-of-team-a';
const TEAM_B = 'token-of-team-b';

async function startServer(args: string[] = []): Promise<{ server: RunningCli; url: string; tokenFile: string }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'baleen-hostile-'));
  const tokenFile = path.join(dir, 'tokens');
  await writeFile(tokenFile, `${TEAM_A}\n${TEAM_B}\n`);
  const server = startServerProcess([
    '--port',
    '0',
    '--log-level',
    'warn',
    '--state-dir',
    dir,
    '--token-file',
    tokenFile,
    ...args,
  ]);
  const url = await server.waitForOutput(/listening on (ws:\/\/\S+)/);
  return { server, url, tokenFile };
}

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

export { HASH_SCRIPT };
