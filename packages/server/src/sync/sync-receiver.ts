import {
  BaleenError,
  MAX_SYNC_ENTRIES,
  symlinkChainProblems,
  treeHashOf,
  type ServerMessage,
  type SyncBlobMessage,
  type SyncEntry,
  type SyncManifestMessage,
  type SyncOfferMessage,
} from '@baleen/protocol';
import type { BlobUpload } from './blob-upload.js';
import { manifestBytes, type Tenant, type WorkspaceStore } from './workspace-store.js';

/** Syncs one connection may have open at once: enough for any client, too few to pile up half-sent blobs. */
export const MAX_OPEN_SYNCS = 4;
/** An open sync that gets no frame for this long is abandoned, with what it had reserved. */
export const SYNC_IDLE_TIMEOUT_MS = 60_000;

interface OpenSync {
  treeHash: string;
  /** Entries received so far, while the manifest is being sent; then the whole manifest. */
  entries: SyncEntry[];
  manifestDone: boolean;
  /** Releases what the manifest reserved of the store's cap while it is not a stored tree. */
  releaseManifest: () => void;
  /** Releases the hold on the tree's blobs, so eviction cannot remove one before the tree is complete. */
  releaseBlobs: () => void;
  /** Blob hash → its size, for the blobs asked for and not yet complete. */
  wanted: Map<string, number>;
  upload: { upload: BlobUpload; release: () => void } | undefined;
  idle: NodeJS.Timeout | undefined;
}

const MiB = 1024 * 1024;
const size = (bytes: number): string => (bytes >= MiB ? `${(bytes / MiB).toFixed(1)} MiB` : `${bytes} bytes`);
const noop = (): void => {};

/**
 * One connection's side of workspace sync (see sync-messages.ts in @baleen/protocol), for one tenant. Every
 * message was validated by its schema; this checks what a schema cannot: the tree hash matches its entries, its
 * symlinks taken together stay in the tree, the tree fits the server's cap, blobs arrive in order, at the size
 * announced, with the contents their hash names. Anything else ends that sync with a SYNC_REJECTED error.
 *
 * A tree counts for this tenant only once it sent the manifest and every blob's bytes (see WorkspaceStore): a
 * tree or blob another tenant sent is asked for all the same, so what sync-wanted lists says nothing about what
 * is stored.
 */
export class SyncReceiver {
  readonly #open = new Map<string, OpenSync>();

  constructor(
    private readonly store: WorkspaceStore,
    private readonly maxBytes: number,
    private readonly tenant: Tenant,
    private readonly send: (message: ServerMessage) => void,
    private readonly idleTimeoutMs = SYNC_IDLE_TIMEOUT_MS,
  ) {}

  /** Syncs open now (a session with one is not idle). */
  get openSyncs(): number {
    return this.#open.size;
  }

  async handle(message: SyncOfferMessage | SyncManifestMessage | SyncBlobMessage): Promise<void> {
    try {
      if (message.type === 'sync-offer') this.#offer(message);
      else if (message.type === 'sync-manifest') this.#manifest(message);
      else await this.#blob(message);
      this.#touch(message.syncRef);
    } catch (error) {
      await this.#abandon(message.syncRef);
      const reason = error instanceof BaleenError ? error.message : String(error);
      this.send({ type: 'error', code: 'SYNC_REJECTED', message: reason, syncRef: message.syncRef });
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.#open.keys()].map((syncRef) => this.#abandon(syncRef)));
  }

  #offer({ syncRef, treeHash }: SyncOfferMessage): void {
    if (this.#open.has(syncRef)) throw new BaleenError('SYNC_REJECTED', `sync '${syncRef}' is already open`);
    if (this.#open.size >= MAX_OPEN_SYNCS) {
      throw new BaleenError('SYNC_REJECTED', `at most ${MAX_OPEN_SYNCS} syncs may be open at once on a connection`);
    }
    if (this.store.hasTree(treeHash, this.tenant)) {
      this.#sendReady(syncRef, treeHash);
      return;
    }
    this.#open.set(syncRef, {
      treeHash,
      entries: [],
      manifestDone: false,
      releaseManifest: noop,
      releaseBlobs: noop,
      wanted: new Map(),
      upload: undefined,
      idle: undefined,
    });
    this.send({ type: 'sync-wanted', syncRef, manifest: true, blobs: [] });
  }

  #manifest({ syncRef, entries, final }: SyncManifestMessage): void {
    const open = this.#get(syncRef);
    if (open.manifestDone) throw new BaleenError('SYNC_REJECTED', 'a manifest was not asked for');
    if (open.entries.length + entries.length > MAX_SYNC_ENTRIES) {
      throw new BaleenError('SYNC_REJECTED', `the tree has more than ${MAX_SYNC_ENTRIES} entries`);
    }
    this.#reserveManifest(open, entries);
    open.entries.push(...entries);
    if (!final) return;
    open.manifestDone = true;
    const all = open.entries;
    if (treeHashOf(all) !== open.treeHash) {
      throw new BaleenError('SYNC_REJECTED', 'the manifest does not match the tree hash offered');
    }
    const paths = new Set<string>();
    for (const entry of all) {
      if (paths.has(entry.path)) throw new BaleenError('SYNC_REJECTED', `'${entry.path}' is in the manifest twice`);
      paths.add(entry.path);
    }
    const [problem] = symlinkChainProblems(all);
    if (problem !== undefined) throw new BaleenError('SYNC_REJECTED', `'${problem.path}' ${problem.problem}`);
    const files = all.filter((entry) => entry.kind === 'file');
    const total = files.reduce((sum, entry) => sum + entry.size, 0);
    if (total > this.maxBytes) {
      const biggest = [...files]
        .sort((a, b) => b.size - a.size)
        .slice(0, 5)
        .map((entry) => `${entry.path} (${size(entry.size)})`);
      throw new BaleenError(
        'SYNC_REJECTED',
        `the workspace is ${size(total)}, over this server's --max-sync-bytes of ${size(this.maxBytes)}; ` +
          `the biggest files: ${biggest.join(', ')} — list what the tests do not need in .baleenignore`,
      );
    }
    // One size per content: a manifest cannot give a blob another length than its bytes have.
    const sizes = new Map<string, number>();
    for (const entry of files) {
      const known = sizes.get(entry.hash) ?? this.store.blobSizeFor(entry.hash, this.tenant);
      if (known !== undefined && known !== entry.size) {
        throw new BaleenError(
          'SYNC_REJECTED',
          `'${entry.path}' gives ${entry.size} bytes for contents ${entry.hash.slice(0, 12)}, which are ${known} bytes`,
        );
      }
      sizes.set(entry.hash, entry.size);
    }
    open.releaseBlobs = this.store.holdBlobs(sizes.keys());
    for (const [hash, bytes] of sizes) {
      if (this.store.blobSizeFor(hash, this.tenant) === undefined) open.wanted.set(hash, bytes);
    }
    if (open.wanted.size === 0) {
      this.#complete(syncRef, open);
      return;
    }
    this.send({ type: 'sync-wanted', syncRef, manifest: false, blobs: [...open.wanted.keys()] });
  }

  /** The manifest being received counts against the store's cap, so that manifests cannot fill the memory. */
  #reserveManifest(open: OpenSync, entries: readonly SyncEntry[]): void {
    const bytes = manifestBytes(entries);
    const release = this.store.reserve(bytes);
    if (release === undefined) throw this.#full();
    const before = open.releaseManifest;
    open.releaseManifest = () => {
      before();
      release();
    };
  }

  #full(): BaleenError {
    return new BaleenError(
      'SYNC_REJECTED',
      `the server's space for synced trees (--sync-cache-bytes of ${size(this.store.capBytes)}) is taken by ` +
        'trees in use and syncs in progress; try again shortly',
    );
  }

  async #blob({ syncRef, hash, offset, data, final }: SyncBlobMessage): Promise<void> {
    const open = this.#get(syncRef);
    const expected = open.wanted.get(hash);
    if (expected === undefined) throw new BaleenError('SYNC_REJECTED', `blob ${hash.slice(0, 12)} was not asked for`);
    if (open.upload !== undefined && open.upload.upload.hash !== hash) {
      throw new BaleenError('SYNC_REJECTED', 'blobs must be sent one at a time, each to its end');
    }
    if (open.upload === undefined) {
      const release = this.store.reserve(expected);
      if (release === undefined) throw this.#full();
      try {
        open.upload = { upload: await this.store.beginUpload(hash, expected), release };
      } catch (error) {
        release();
        throw error;
      }
    }
    const { upload, release } = open.upload;
    if (offset !== upload.received) {
      throw new BaleenError(
        'SYNC_REJECTED',
        `blob ${hash.slice(0, 12)}: expected offset ${upload.received}, got ${offset}`,
      );
    }
    await upload.write(Buffer.from(data, 'base64'));
    this.send({ type: 'sync-progress', syncRef, hash, receivedBytes: upload.received });
    if (!final) return;
    open.upload = undefined;
    try {
      await this.store.commitUpload(upload, this.tenant);
    } finally {
      release();
    }
    open.wanted.delete(hash);
    if (open.wanted.size === 0) this.#complete(syncRef, open);
  }

  #complete(syncRef: string, open: OpenSync): void {
    this.store.addTree(open.treeHash, open.entries, this.tenant);
    this.#end(syncRef, open);
    this.#sendReady(syncRef, open.treeHash);
    this.store.evict(open.treeHash);
  }

  #sendReady(syncRef: string, treeHash: string): void {
    const files = this.store.entries(treeHash, this.tenant).filter((entry) => entry.kind === 'file');
    this.send({
      type: 'sync-ready',
      syncRef,
      treeHash,
      files: files.length,
      bytes: files.reduce((sum, entry) => sum + entry.size, 0),
    });
  }

  #get(syncRef: string): OpenSync {
    const open = this.#open.get(syncRef);
    if (open === undefined) {
      throw new BaleenError('SYNC_REJECTED', `no open sync '${syncRef}' (send sync-offer first)`);
    }
    return open;
  }

  /** A sync that stops sending is abandoned, so that it cannot keep its reservations for ever. */
  #touch(syncRef: string): void {
    const open = this.#open.get(syncRef);
    if (open === undefined) return;
    clearTimeout(open.idle);
    open.idle = setTimeout(() => {
      void this.#abandon(syncRef).then(() =>
        this.send({
          type: 'error',
          code: 'SYNC_REJECTED',
          message: `sync '${syncRef}' was abandoned after ${Math.round(this.idleTimeoutMs / 1000)} s without a frame`,
          syncRef,
        }),
      );
    }, this.idleTimeoutMs);
    open.idle.unref();
  }

  #end(syncRef: string, open: OpenSync): void {
    this.#open.delete(syncRef);
    clearTimeout(open.idle);
    open.releaseManifest();
    open.releaseBlobs();
  }

  async #abandon(syncRef: string): Promise<void> {
    const open = this.#open.get(syncRef);
    if (open === undefined) return;
    this.#end(syncRef, open);
    if (open.upload !== undefined) {
      await open.upload.upload.abort();
      open.upload.release();
    }
  }
}
