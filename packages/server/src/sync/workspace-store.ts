import { createReadStream, rmSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { SyncEntry } from '@baleen/protocol';
import { BlobUpload } from './blob-upload.js';
import { workspaceArchive } from './workspace-archive.js';

/** Who a blob or tree is visible to: a token's identity (see TenantIdentity). */
export type Tenant = string;

interface StoredTree {
  entries: SyncEntry[];
  /** What the manifest costs to keep, counted against the cap like blob bytes. */
  bytes: number;
  /** Tenants that sent this manifest and every one of its blobs' bytes. */
  tenants: Set<Tenant>;
  /** Runs using it now: a pinned tree and its blobs are never evicted. */
  pins: number;
  lastUsed: number;
}

interface StoredBlob {
  /** Of the stored file, as written and verified: what the archive says, whatever a manifest claims. */
  size: number;
  /** Tenants that sent its bytes. */
  tenants: Set<Tenant>;
}

/** A manifest entry in memory: its strings and the object around them, roughly. */
export function manifestBytes(entries: readonly SyncEntry[]): number {
  return entries.reduce(
    (sum, entry) => sum + 2 * (entry.path.length + (entry.kind === 'file' ? 64 : entry.target.length)) + 160,
    0,
  );
}

/**
 * Synced workspace trees, content-addressed: file contents (blobs) on disk named by their sha256, read-only, each
 * tree as its list of entries. Blobs and trees are shared on disk, never across tenants: a tree or blob counts
 * for a tenant only once that tenant sent it (a blob's bytes, a tree's manifest and all its blobs), so one tenant
 * can neither use another's files by naming their hashes nor learn which hashes are stored.
 *
 * Bounded by `capBytes`, which covers blob bytes, the manifests kept in memory and what uploads in progress have
 * reserved: past it, the least recently used trees no run is using are dropped, with the blobs no remaining tree
 * needs. A reservation that cannot fit even then is refused.
 */
export class WorkspaceStore {
  readonly #trees = new Map<string, StoredTree>();
  readonly #blobs = new Map<string, StoredBlob>();
  /** Blob hash → uploads or syncs in progress that need it kept although no tree references it yet. */
  readonly #held = new Map<string, number>();
  #blobBytes = 0;
  #treeBytes = 0;
  #reserved = 0;
  #clock = 0;

  constructor(
    readonly dir: string,
    readonly capBytes: number,
  ) {}

  get #incomingDir(): string {
    return path.join(this.dir, 'incoming');
  }

  async init(): Promise<void> {
    await mkdir(this.#incomingDir, { recursive: true, mode: 0o700 });
  }

  /** Everything counted against the cap. */
  get bytes(): number {
    return this.#blobBytes + this.#treeBytes + this.#reserved;
  }

  /** The tree is here, and this tenant sent it. */
  hasTree(treeHash: string, tenant: Tenant): boolean {
    return this.#trees.get(treeHash)?.tenants.has(tenant) === true;
  }

  /** A tree this tenant may run with: it sent its manifest and every blob. */
  isReady(treeHash: string, tenant: Tenant): boolean {
    return this.hasTree(treeHash, tenant);
  }

  entries(treeHash: string, tenant: Tenant): SyncEntry[] {
    return this.hasTree(treeHash, tenant) ? (this.#trees.get(treeHash)?.entries ?? []) : [];
  }

  /** The stored size of a blob this tenant sent, else undefined (whether or not another tenant did). */
  blobSizeFor(hash: string, tenant: Tenant): number | undefined {
    const blob = this.#blobs.get(hash);
    return blob?.tenants.has(tenant) === true ? blob.size : undefined;
  }

  /** Keeps blobs from eviction while a sync that will reference them is under way. */
  holdBlobs(hashes: Iterable<string>): () => void {
    const held = [...new Set(hashes)];
    for (const hash of held) this.#held.set(hash, (this.#held.get(hash) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      for (const hash of held) {
        const count = (this.#held.get(hash) ?? 1) - 1;
        if (count <= 0) this.#held.delete(hash);
        else this.#held.set(hash, count);
      }
    };
  }

  /**
   * Counts `bytes` against the cap (evicting what it can to make room) until the returned release is called;
   * undefined when they cannot fit.
   */
  reserve(bytes: number): (() => void) | undefined {
    if (this.bytes + bytes > this.capBytes) this.evict(undefined, bytes);
    if (this.bytes + bytes > this.capBytes) return undefined;
    this.#reserved += bytes;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#reserved -= bytes;
    };
  }

  /** A new upload of one blob, to its own temporary file. */
  beginUpload(hash: string, expectedBytes: number): Promise<BlobUpload> {
    return BlobUpload.begin(this.#incomingDir, hash, expectedBytes);
  }

  /**
   * Verifies and links in an upload; the tenant that sent the bytes may use the blob from now on. A blob already
   * on disk stays as it is: every file under its hash was verified by the upload that linked it.
   */
  async commitUpload(upload: BlobUpload, tenant: Tenant): Promise<void> {
    const { size } = await upload.commit(this.#blobPath(upload.hash));
    const stored = this.#blobs.get(upload.hash);
    if (stored !== undefined) {
      stored.tenants.add(tenant);
      return;
    }
    this.#blobs.set(upload.hash, { size, tenants: new Set([tenant]) });
    this.#blobBytes += size;
  }

  /** Keeps a complete tree (every blob stored and sent by this tenant) for this tenant. */
  addTree(treeHash: string, entries: SyncEntry[], tenant: Tenant): void {
    const existing = this.#trees.get(treeHash);
    if (existing !== undefined) {
      existing.tenants.add(tenant);
      existing.lastUsed = ++this.#clock;
      return;
    }
    const bytes = manifestBytes(entries);
    this.#trees.set(treeHash, { entries, bytes, tenants: new Set([tenant]), pins: 0, lastUsed: ++this.#clock });
    this.#treeBytes += bytes;
  }

  #blobPath(hash: string): string {
    return path.join(this.dir, hash);
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
      this.evict();
    };
  }

  /**
   * A tar stream of the tree, for the engine to unpack at a container's work dir. Sizes are the stored blobs'
   * own; a blob that cannot be read as stored ends the stream with an error (the run's file errs), never more.
   */
  archive(treeHash: string, tenant: Tenant): Readable {
    const tree = this.#trees.get(treeHash);
    if (tree === undefined || !tree.tenants.has(tenant)) throw new Error(`no tree ${treeHash}`);
    return workspaceArchive(tree.entries, (hash) => {
      const blob = this.#blobs.get(hash);
      if (blob === undefined) throw new Error(`blob ${hash.slice(0, 12)} is not stored`);
      return { size: blob.size, open: () => createReadStream(this.#blobPath(hash)) };
    });
  }

  /**
   * Drops least recently used, unpinned trees other than `keep` (and blobs nothing needs) until the store fits its
   * cap with `room` bytes to spare.
   */
  evict(keep?: string, room = 0): void {
    if (this.bytes + room <= this.capBytes) return;
    this.#removeUnreferencedBlobs();
    const candidates = [...this.#trees.entries()]
      .filter(([hash, tree]) => tree.pins === 0 && hash !== keep)
      .sort((a, b) => a[1].lastUsed - b[1].lastUsed);
    for (const [hash, tree] of candidates) {
      if (this.bytes + room <= this.capBytes) break;
      this.#trees.delete(hash);
      this.#treeBytes -= tree.bytes;
      this.#removeUnreferencedBlobs();
    }
  }

  #removeUnreferencedBlobs(): void {
    const referenced = new Set<string>(this.#held.keys());
    for (const tree of this.#trees.values()) {
      for (const entry of tree.entries) if (entry.kind === 'file') referenced.add(entry.hash);
    }
    for (const [hash, blob] of this.#blobs) {
      if (referenced.has(hash)) continue;
      // Map and disk change in one step, so an upload committing meanwhile never sees one without the other.
      this.#blobs.delete(hash);
      this.#blobBytes -= blob.size;
      rmSync(this.#blobPath(hash), { force: true });
    }
  }

  async close(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}
