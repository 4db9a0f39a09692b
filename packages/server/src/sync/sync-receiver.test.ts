import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { treeHashOf, type ServerMessage, type SyncEntry } from '@baleen/protocol';
import { extract } from 'tar-stream';
import { SyncReceiver } from './sync-receiver.js';
import { WorkspaceStore } from './workspace-store.js';

const sha = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

async function setup(maxBytes = 1_000_000) {
  const store = new WorkspaceStore(await mkdtemp(path.join(tmpdir(), 'baleen-store-test-')), 10_000_000);
  await store.init();
  const sent: ServerMessage[] = [];
  const receiver = new SyncReceiver(store, maxBytes, 'tenant-a', (message) => sent.push(message));
  return { store, sent, receiver };
}

async function untar(stream: NodeJS.ReadableStream): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  const reader = extract();
  reader.on('entry', (header, body, next) => {
    let text = '';
    body.on('data', (chunk: unknown) => (text += String(chunk)));
    body.on('end', () => {
      files[header.name] = header.type === 'symlink' ? `-> ${header.linkname ?? ''}` : text;
      next();
    });
  });
  stream.pipe(reader);
  await new Promise<void>((resolve) => reader.on('finish', () => resolve()));
  return files;
}

describe('workspace sync, server side', () => {
  const hello = Buffer.from('hello\n');
  const entries: SyncEntry[] = [
    { kind: 'file', path: 'a/hello.txt', hash: sha(hello), size: hello.length, executable: false },
    { kind: 'symlink', path: 'link', target: 'a/hello.txt' },
  ];
  const treeHash = treeHashOf(entries);

  it('asks for the manifest, then for the missing blob, then is ready; the archive holds the tree', async () => {
    const { store, sent, receiver } = await setup();
    await receiver.handle({ type: 'sync-offer', syncRef: 's', treeHash });
    assert.deepEqual(sent.pop(), { type: 'sync-wanted', syncRef: 's', manifest: true, blobs: [] });
    await receiver.handle({ type: 'sync-manifest', syncRef: 's', entries, final: true });
    assert.deepEqual(sent.pop(), { type: 'sync-wanted', syncRef: 's', manifest: false, blobs: [sha(hello)] });
    await receiver.handle({
      type: 'sync-blob',
      syncRef: 's',
      hash: sha(hello),
      offset: 0,
      data: hello.toString('base64'),
      final: true,
    });
    assert.equal(sent.at(-1)?.type, 'sync-ready');
    assert.ok(store.isReady(treeHash, 'tenant-a'));
    assert.deepEqual(await untar(store.archive(treeHash, 'tenant-a')), {
      'a/hello.txt': 'hello\n',
      link: '-> a/hello.txt',
    });

    // The same tree again: ready at once, nothing asked for.
    await receiver.handle({ type: 'sync-offer', syncRef: 't', treeHash });
    assert.equal(sent.at(-1)?.type, 'sync-ready');
    await store.close();
  });

  it('refuses a manifest that does not match its hash, and a blob whose contents do not match', async () => {
    const { store, sent, receiver } = await setup();
    await receiver.handle({ type: 'sync-offer', syncRef: 's', treeHash: 'f'.repeat(64) });
    await receiver.handle({ type: 'sync-manifest', syncRef: 's', entries, final: true });
    assert.match(JSON.stringify(sent.at(-1)), /does not match the tree hash/);

    await receiver.handle({ type: 'sync-offer', syncRef: 'u', treeHash });
    await receiver.handle({ type: 'sync-manifest', syncRef: 'u', entries, final: true });
    const forged = Buffer.from('HELLO\n');
    await receiver.handle({
      type: 'sync-blob',
      syncRef: 'u',
      hash: sha(hello),
      offset: 0,
      data: forged.toString('base64'),
      final: true,
    });
    assert.match(JSON.stringify(sent.at(-1)), /do not match its hash/);
    assert.ok(!store.isReady(treeHash, 'tenant-a'));
    await store.close();
  });

  it('refuses a tree over the cap, naming the cap and the biggest files', async () => {
    const { store, sent, receiver } = await setup(10);
    const big: SyncEntry[] = [
      { kind: 'file', path: 'big.bin', hash: 'b'.repeat(64), size: 5000, executable: false },
      { kind: 'file', path: 'small.txt', hash: 'c'.repeat(64), size: 3, executable: false },
    ];
    await receiver.handle({ type: 'sync-offer', syncRef: 's', treeHash: treeHashOf(big) });
    await receiver.handle({ type: 'sync-manifest', syncRef: 's', entries: big, final: true });
    const error = sent.at(-1);
    assert.equal(error?.type, 'error');
    assert.match(
      JSON.stringify(error),
      /--max-sync-bytes of 10 bytes; the biggest files: big.bin \(5000 bytes\), small.txt/,
    );
    await store.close();
  });

  it('evicts the least recently used trees no run is using to make room, counting manifests too', async () => {
    // One tree here costs its manifest (~300 bytes) and its 12-byte blob: two fit in 700 bytes, three do not.
    const store = new WorkspaceStore(await mkdtemp(path.join(tmpdir(), 'baleen-store-test-')), 700);
    await store.init();
    const receiver = new SyncReceiver(store, 1_000_000, 'tenant-a', () => {});
    const trees: string[] = [];
    for (const text of ['first tree!\n', 'second tree\n', 'third tree!\n']) {
      const data = Buffer.from(text);
      const tree: SyncEntry[] = [
        { kind: 'file', path: 'f.txt', hash: sha(data), size: data.length, executable: false },
      ];
      const hash = treeHashOf(tree);
      trees.push(hash);
      await receiver.handle({ type: 'sync-offer', syncRef: hash, treeHash: hash });
      await receiver.handle({ type: 'sync-manifest', syncRef: hash, entries: tree, final: true });
      await receiver.handle({
        type: 'sync-blob',
        syncRef: hash,
        hash: sha(data),
        offset: 0,
        data: data.toString('base64'),
        final: true,
      });
      if (trees.length === 1) store.pin(hash);
    }
    // The first is pinned (a run uses it): it stays; the second was the least recently used one not in use.
    assert.ok(store.isReady(trees[0] ?? '', 'tenant-a'));
    assert.ok(!store.hasTree(trees[1] ?? '', 'tenant-a'));
    assert.ok(store.isReady(trees[2] ?? '', 'tenant-a'));
    assert.ok(store.bytes <= 700);
    await store.close();
  });

  it('keeps tenants apart: a tree or blob counts only for the tenant that sent it, and asking reveals nothing', async () => {
    const store = new WorkspaceStore(await mkdtemp(path.join(tmpdir(), 'baleen-store-test-')), 10_000_000);
    await store.init();
    const toA: ServerMessage[] = [];
    const toB: ServerMessage[] = [];
    const a = new SyncReceiver(store, 1_000_000, 'tenant-a', (message) => toA.push(message));
    const b = new SyncReceiver(store, 1_000_000, 'tenant-b', (message) => toB.push(message));
    const blob = {
      type: 'sync-blob',
      hash: sha(hello),
      offset: 0,
      data: hello.toString('base64'),
      final: true,
    } as const;
    await a.handle({ type: 'sync-offer', syncRef: 's', treeHash });
    await a.handle({ type: 'sync-manifest', syncRef: 's', entries, final: true });
    await a.handle({ ...blob, syncRef: 's' });
    assert.equal(toA.at(-1)?.type, 'sync-ready');

    // B offers the same tree: asked for the manifest and the blob, as if nothing were stored.
    await b.handle({ type: 'sync-offer', syncRef: 's', treeHash });
    assert.deepEqual(toB.pop(), { type: 'sync-wanted', syncRef: 's', manifest: true, blobs: [] });
    assert.ok(!store.isReady(treeHash, 'tenant-b'));
    await b.handle({ type: 'sync-manifest', syncRef: 's', entries, final: true });
    assert.deepEqual(toB.pop(), { type: 'sync-wanted', syncRef: 's', manifest: false, blobs: [sha(hello)] });
    // Proving it holds the contents (sending them) is what makes the tree count for B too.
    await b.handle({ ...blob, syncRef: 's' });
    assert.equal(toB.at(-1)?.type, 'sync-ready');
    assert.ok(store.isReady(treeHash, 'tenant-b'));
    assert.equal(store.bytes, store.bytes, 'the blob is stored once');
    await store.close();
  });

  it('interleaved uploads of one blob on two connections each complete, and the stored blob is the right bytes', async () => {
    const store = new WorkspaceStore(await mkdtemp(path.join(tmpdir(), 'baleen-store-test-')), 10_000_000);
    await store.init();
    const data = Buffer.alloc(3000, 7);
    const tree: SyncEntry[] = [{ kind: 'file', path: 'd.bin', hash: sha(data), size: data.length, executable: false }];
    const hash = treeHashOf(tree);
    const sent: ServerMessage[][] = [[], []];
    const receivers = [0, 1].map((i) => new SyncReceiver(store, 1_000_000, 'tenant-a', (m) => sent[i]?.push(m)));
    for (const receiver of receivers) {
      await receiver.handle({ type: 'sync-offer', syncRef: 's', treeHash: hash });
      await receiver.handle({ type: 'sync-manifest', syncRef: 's', entries: tree, final: true });
    }
    const chunk = (offset: number, final: boolean) =>
      ({
        type: 'sync-blob',
        syncRef: 's',
        hash: sha(data),
        offset,
        data: data.subarray(offset, offset + 1000).toString('base64'),
        final,
      }) as const;
    await receivers[0]?.handle(chunk(0, false));
    await receivers[1]?.handle(chunk(0, false));
    await receivers[0]?.handle(chunk(1000, false));
    await receivers[1]?.handle(chunk(1000, false));
    await Promise.all([receivers[0]?.handle(chunk(2000, true)), receivers[1]?.handle(chunk(2000, true))]);
    assert.deepEqual(
      sent.map((messages) => messages.at(-1)?.type),
      ['sync-ready', 'sync-ready'],
    );
    const files = await untar(store.archive(hash, 'tenant-a'));
    assert.equal(files['d.bin'], data.toString());
    await store.close();
  });

  it('refuses a manifest that gives a stored blob another size, and a symlink chain that leaves the tree', async () => {
    const { store, sent, receiver } = await setup();
    await receiver.handle({ type: 'sync-offer', syncRef: 's', treeHash });
    await receiver.handle({ type: 'sync-manifest', syncRef: 's', entries, final: true });
    await receiver.handle({
      type: 'sync-blob',
      syncRef: 's',
      hash: sha(hello),
      offset: 0,
      data: hello.toString('base64'),
      final: true,
    });
    const lying: SyncEntry[] = [
      { kind: 'file', path: 'x', hash: sha(hello), size: hello.length + 10, executable: false },
    ];
    await receiver.handle({ type: 'sync-offer', syncRef: 'l', treeHash: treeHashOf(lying) });
    await receiver.handle({ type: 'sync-manifest', syncRef: 'l', entries: lying, final: true });
    assert.match(JSON.stringify(sent.at(-1)), /gives 16 bytes for contents [0-9a-f]{12}, which are 6 bytes/);
    const chain: SyncEntry[] = [
      { kind: 'symlink', path: 'd/up', target: '..' },
      { kind: 'symlink', path: 'esc', target: 'd/up/..' },
    ];
    await receiver.handle({ type: 'sync-offer', syncRef: 'c', treeHash: treeHashOf(chain) });
    await receiver.handle({ type: 'sync-manifest', syncRef: 'c', entries: chain, final: true });
    assert.match(
      JSON.stringify(sent.at(-1)),
      /'esc' is a symlink \(-> d\/up\/..\) whose chain of links leads outside the tree/,
    );
    await store.close();
  });

  it('refuses an upload that cannot fit beside the trees in use, and abandons a sync that stops sending', async () => {
    const store = new WorkspaceStore(await mkdtemp(path.join(tmpdir(), 'baleen-store-test-')), 2_000);
    await store.init();
    const sent: ServerMessage[] = [];
    const receiver = new SyncReceiver(store, 1_000_000, 'tenant-a', (message) => sent.push(message), 200);
    const big: SyncEntry[] = [{ kind: 'file', path: 'big', hash: 'b'.repeat(64), size: 5_000, executable: false }];
    await receiver.handle({ type: 'sync-offer', syncRef: 'big', treeHash: treeHashOf(big) });
    await receiver.handle({ type: 'sync-manifest', syncRef: 'big', entries: big, final: true });
    await receiver.handle({
      type: 'sync-blob',
      syncRef: 'big',
      hash: 'b'.repeat(64),
      offset: 0,
      data: 'AAAA',
      final: false,
    });
    assert.match(JSON.stringify(sent.at(-1)), /--sync-cache-bytes of 2000 bytes/);
    assert.equal(store.bytes, 0);

    const small: SyncEntry[] = [{ kind: 'file', path: 's', hash: 'c'.repeat(64), size: 10, executable: false }];
    await receiver.handle({ type: 'sync-offer', syncRef: 'slow', treeHash: treeHashOf(small) });
    await receiver.handle({ type: 'sync-manifest', syncRef: 'slow', entries: small, final: true });
    await receiver.handle({
      type: 'sync-blob',
      syncRef: 'slow',
      hash: 'c'.repeat(64),
      offset: 0,
      data: 'AAAA',
      final: false,
    });
    assert.ok(store.bytes > 0);
    await new Promise((resolve) => setTimeout(resolve, 400));
    assert.match(JSON.stringify(sent.at(-1)), /abandoned after 0 s without a frame/);
    assert.equal(store.bytes, 0);
    assert.equal(receiver.openSyncs, 0);
    await store.close();
  });
});
