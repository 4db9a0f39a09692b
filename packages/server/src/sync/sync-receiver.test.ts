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
  const receiver = new SyncReceiver(store, maxBytes, (message) => sent.push(message));
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
    assert.ok(store.isReady(treeHash));
    assert.deepEqual(await untar(store.archive(treeHash)), { 'a/hello.txt': 'hello\n', link: '-> a/hello.txt' });

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
    assert.ok(!store.isReady(treeHash));
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

  it('evicts the least recently used trees no run is using once over its size', async () => {
    const store = new WorkspaceStore(await mkdtemp(path.join(tmpdir(), 'baleen-store-test-')), 10);
    await store.init();
    const receiver = new SyncReceiver(store, 1_000_000, () => {});
    const trees: string[] = [];
    for (const text of ['first tree!\n', 'second tree\n']) {
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
    await store.evict();
    // The first is pinned (a run uses it): it stays; the second is over the cap and not in use.
    assert.ok(store.isReady(trees[0] ?? ''));
    assert.ok(!store.hasTree(trees[1] ?? ''));
    await store.close();
  });
});
