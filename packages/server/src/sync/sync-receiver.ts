import { createHash, type Hash } from 'node:crypto';
import { open, rm, type FileHandle } from 'node:fs/promises';
import {
  BaleenError,
  MAX_SYNC_ENTRIES,
  treeHashOf,
  type ServerMessage,
  type SyncBlobMessage,
  type SyncEntry,
  type SyncManifestMessage,
  type SyncOfferMessage,
} from '@baleen/protocol';
import type { WorkspaceStore } from './workspace-store.js';

interface Incoming {
  treeHash: string;
  /** Entries received so far, while the manifest is being sent. */
  entries: SyncEntry[] | undefined;
  /** Blob hash → its size, for the blobs asked for and not yet complete. */
  wanted: Map<string, number>;
  blob: { hash: string; file: FileHandle; digest: Hash; received: number } | undefined;
}

const MiB = 1024 * 1024;
const size = (bytes: number): string => (bytes >= MiB ? `${(bytes / MiB).toFixed(1)} MiB` : `${bytes} bytes`);

/**
 * One connection's side of workspace sync (see sync-messages.ts in @baleen/protocol). Every message was validated
 * by its schema; this checks what a schema cannot: the tree hash matches its entries, the tree fits the server's
 * cap, blobs arrive in order, at the size announced, with the contents their hash names. Anything else ends that
 * sync with a SYNC_REJECTED error naming what was wrong.
 */
export class SyncReceiver {
  readonly #incoming = new Map<string, Incoming>();

  constructor(
    private readonly store: WorkspaceStore,
    private readonly maxBytes: number,
    private readonly send: (message: ServerMessage) => void,
  ) {}

  async handle(message: SyncOfferMessage | SyncManifestMessage | SyncBlobMessage): Promise<void> {
    try {
      if (message.type === 'sync-offer') this.#offer(message);
      else if (message.type === 'sync-manifest') this.#manifest(message);
      else await this.#blob(message);
    } catch (error) {
      await this.#abandon(message.syncRef);
      const reason = error instanceof BaleenError ? error.message : String(error);
      this.send({ type: 'error', code: 'SYNC_REJECTED', message: reason, syncRef: message.syncRef });
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.#incoming.keys()].map((syncRef) => this.#abandon(syncRef)));
  }

  #offer({ syncRef, treeHash }: SyncOfferMessage): void {
    if (this.#incoming.has(syncRef)) throw new BaleenError('SYNC_REJECTED', `sync '${syncRef}' is already open`);
    const incoming: Incoming = { treeHash, entries: undefined, wanted: new Map(), blob: undefined };
    this.#incoming.set(syncRef, incoming);
    if (!this.store.hasTree(treeHash)) {
      incoming.entries = [];
      this.send({ type: 'sync-wanted', syncRef, manifest: true, blobs: [] });
      return;
    }
    this.#askForBlobs(syncRef, incoming);
  }

  #manifest({ syncRef, entries, final }: SyncManifestMessage): void {
    const incoming = this.#open(syncRef);
    if (incoming.entries === undefined) throw new BaleenError('SYNC_REJECTED', 'a manifest was not asked for');
    if (incoming.entries.length + entries.length > MAX_SYNC_ENTRIES) {
      throw new BaleenError('SYNC_REJECTED', `the tree has more than ${MAX_SYNC_ENTRIES} entries`);
    }
    incoming.entries.push(...entries);
    if (!final) return;
    const all = incoming.entries;
    incoming.entries = undefined;
    if (treeHashOf(all) !== incoming.treeHash) {
      throw new BaleenError('SYNC_REJECTED', 'the manifest does not match the tree hash offered');
    }
    const paths = new Set<string>();
    for (const entry of all) {
      if (paths.has(entry.path)) throw new BaleenError('SYNC_REJECTED', `'${entry.path}' is in the manifest twice`);
      paths.add(entry.path);
    }
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
    this.store.addTree(incoming.treeHash, all);
    this.#askForBlobs(syncRef, incoming);
  }

  #askForBlobs(syncRef: string, incoming: Incoming): void {
    const missing = this.store.missingBlobs(incoming.treeHash);
    if (missing.length === 0) {
      this.#ready(syncRef, incoming);
      return;
    }
    const sizes = new Map<string, number>();
    for (const entry of this.store.entries(incoming.treeHash)) {
      if (entry.kind === 'file') sizes.set(entry.hash, entry.size);
    }
    for (const hash of missing) incoming.wanted.set(hash, sizes.get(hash) ?? 0);
    this.send({ type: 'sync-wanted', syncRef, manifest: false, blobs: missing });
  }

  async #blob({ syncRef, hash, offset, data, final }: SyncBlobMessage): Promise<void> {
    const incoming = this.#open(syncRef);
    const expected = incoming.wanted.get(hash);
    if (expected === undefined) throw new BaleenError('SYNC_REJECTED', `blob ${hash.slice(0, 12)} was not asked for`);
    if (incoming.blob !== undefined && incoming.blob.hash !== hash) {
      throw new BaleenError('SYNC_REJECTED', 'blobs must be sent one at a time, each to its end');
    }
    incoming.blob ??= {
      hash,
      file: await open(this.store.incomingPath(hash), 'w'),
      digest: createHash('sha256'),
      received: 0,
    };
    const blob = incoming.blob;
    if (offset !== blob.received) {
      throw new BaleenError(
        'SYNC_REJECTED',
        `blob ${hash.slice(0, 12)}: expected offset ${blob.received}, got ${offset}`,
      );
    }
    const bytes = Buffer.from(data, 'base64');
    if (blob.received + bytes.length > expected) {
      throw new BaleenError(
        'SYNC_REJECTED',
        `blob ${hash.slice(0, 12)} is longer than the ${expected} bytes announced`,
      );
    }
    await blob.file.write(bytes);
    blob.digest.update(bytes);
    blob.received += bytes.length;
    this.send({ type: 'sync-progress', syncRef, hash, receivedBytes: blob.received });
    if (!final) return;
    await blob.file.close();
    incoming.blob = undefined;
    if (blob.received !== expected || blob.digest.digest('hex') !== hash) {
      await rm(this.store.incomingPath(hash), { force: true });
      throw new BaleenError('SYNC_REJECTED', `blob ${hash.slice(0, 12)}: its contents do not match its hash or size`);
    }
    await this.store.acceptBlob(hash);
    incoming.wanted.delete(hash);
    if (incoming.wanted.size === 0) this.#ready(syncRef, incoming);
  }

  #ready(syncRef: string, incoming: Incoming): void {
    this.#incoming.delete(syncRef);
    const files = this.store.entries(incoming.treeHash).filter((entry) => entry.kind === 'file');
    this.send({
      type: 'sync-ready',
      syncRef,
      treeHash: incoming.treeHash,
      files: files.length,
      bytes: files.reduce((sum, entry) => sum + entry.size, 0),
    });
    void this.store.evict(incoming.treeHash);
  }

  #open(syncRef: string): Incoming {
    const incoming = this.#incoming.get(syncRef);
    if (incoming === undefined)
      throw new BaleenError('SYNC_REJECTED', `no open sync '${syncRef}' (send sync-offer first)`);
    return incoming;
  }

  async #abandon(syncRef: string): Promise<void> {
    const incoming = this.#incoming.get(syncRef);
    this.#incoming.delete(syncRef);
    if (incoming?.blob === undefined) return;
    await incoming.blob.file.close().catch(() => undefined);
    await rm(this.store.incomingPath(incoming.blob.hash), { force: true });
  }
}
