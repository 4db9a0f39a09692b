import { createReadStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { SyncEntry } from '@baleen/protocol';
import { workspaceArchive } from './workspace-archive.js';

interface StoredTree {
  entries: SyncEntry[];
  /** Runs using it now: a pinned tree and its blobs are never evicted. */
  pins: number;
  lastUsed: number;
}

/**
 * Synced workspace trees, content-addressed: file contents (blobs) on disk named by their sha256, each tree as
 * its list of entries. Bounded by size: past `capBytes`, the least recently used trees no run is using are
 * dropped, with the blobs no remaining tree needs. What a client sends once is not asked for again while it stays.
 */
export class WorkspaceStore {
  readonly #trees = new Map<string, StoredTree>();
  /** Blob hash → size in bytes, for blobs on disk. */
  readonly #blobs = new Map<string, number>();
  #bytes = 0;
  #clock = 0;

  constructor(
    readonly dir: string,
    readonly capBytes: number,
  ) {}

  async init(): Promise<void> {
    await mkdir(path.join(this.dir, 'incoming'), { recursive: true });
  }

  get bytes(): number {
    return this.#bytes;
  }

  hasTree(treeHash: string): boolean {
    return this.#trees.has(treeHash);
  }

  /** Blobs of a tree not on disk, each once. */
  missingBlobs(treeHash: string): string[] {
    const tree = this.#trees.get(treeHash);
    if (tree === undefined) return [];
    const missing = new Set<string>();
    for (const entry of tree.entries) {
      if (entry.kind === 'file' && !this.#blobs.has(entry.hash)) missing.add(entry.hash);
    }
    return [...missing];
  }

  /** A tree whose entries are known and whose every blob is here. */
  isReady(treeHash: string): boolean {
    return this.hasTree(treeHash) && this.missingBlobs(treeHash).length === 0;
  }

  entries(treeHash: string): SyncEntry[] {
    return this.#trees.get(treeHash)?.entries ?? [];
  }

  addTree(treeHash: string, entries: SyncEntry[]): void {
    this.#trees.set(treeHash, { entries, pins: 0, lastUsed: ++this.#clock });
  }

  /** Where a blob being received is written before its hash is checked. */
  incomingPath(hash: string): string {
    return path.join(this.dir, 'incoming', hash);
  }

  #blobPath(hash: string): string {
    return path.join(this.dir, hash);
  }

  /** Moves a received, verified blob into the store. */
  async acceptBlob(hash: string): Promise<void> {
    await rename(this.incomingPath(hash), this.#blobPath(hash));
    const { size } = await stat(this.#blobPath(hash));
    if (!this.#blobs.has(hash)) this.#bytes += size;
    this.#blobs.set(hash, size);
  }

  /** Keeps the tree (and its blobs) until the returned function is called. */
  pin(treeHash: string): () => void {
    const tree = this.#trees.get(treeHash);
    if (tree === undefined) throw new Error(`no tree ${treeHash}`);
    tree.pins += 1;
    tree.lastUsed = ++this.#clock;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      tree.pins -= 1;
      void this.evict();
    };
  }

  /** A tar stream of the tree, for the engine to unpack at a container's work dir. */
  archive(treeHash: string): Readable {
    const tree = this.#trees.get(treeHash);
    if (tree === undefined) throw new Error(`no tree ${treeHash}`);
    return workspaceArchive(tree.entries, (hash) => createReadStream(this.#blobPath(hash)));
  }

  /** Drops least recently used, unpinned trees (and blobs no other tree uses) until the store fits its cap. */
  async evict(keep?: string): Promise<void> {
    if (this.#bytes <= this.capBytes) return;
    const candidates = [...this.#trees.entries()]
      .filter(([hash, tree]) => tree.pins === 0 && hash !== keep)
      .sort((a, b) => a[1].lastUsed - b[1].lastUsed);
    for (const [hash] of candidates) {
      if (this.#bytes <= this.capBytes) break;
      this.#trees.delete(hash);
      await this.#removeUnreferencedBlobs();
    }
  }

  async #removeUnreferencedBlobs(): Promise<void> {
    const referenced = new Set<string>();
    for (const tree of this.#trees.values()) {
      for (const entry of tree.entries) if (entry.kind === 'file') referenced.add(entry.hash);
    }
    for (const [hash, size] of this.#blobs) {
      if (referenced.has(hash)) continue;
      this.#blobs.delete(hash);
      this.#bytes -= size;
      await rm(this.#blobPath(hash), { force: true });
    }
  }

  async close(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}
