import { open } from 'node:fs/promises';
import {
  BaleenError,
  MAX_SYNC_ENTRIES_PER_FRAME,
  SYNC_CHUNK_BYTES,
  type ServerMessage,
  type SyncEntry,
  type SyncReadyMessage,
} from '@baleen/protocol';
import type { ServerConnection } from '../connection/server-connection.js';
import type { ScannedWorkspace } from './scan-workspace.js';

export interface SyncOutcome {
  treeHash: string;
  files: number;
  bytes: number;
  /** What had to travel: 0 when the server already had the tree. */
  sentFiles: number;
  sentBytes: number;
  manifestSent: boolean;
}

const SYNC_REF = 'sync-1';

async function reply(connection: ServerConnection): Promise<ServerMessage> {
  for (;;) {
    const message = await connection.next();
    if (message.type === 'error' && (message.syncRef === SYNC_REF || message.syncRef === undefined)) {
      throw new BaleenError(message.code, `workspace sync refused: ${message.message}`);
    }
    if ('syncRef' in message && message.syncRef === SYNC_REF) return message;
  }
}

/**
 * Sends the workspace the way the server asks for it: the tree's hash first; its manifest only when the server
 * does not know the tree; then only the files whose contents it does not have, one chunk at a time, each
 * acknowledged (so neither side buffers a large file).
 */
export async function syncWorkspace(connection: ServerConnection, workspace: ScannedWorkspace): Promise<SyncOutcome> {
  connection.send({ type: 'sync-offer', syncRef: SYNC_REF, treeHash: workspace.treeHash });
  let manifestSent = false;
  let sentFiles = 0;
  let sentBytes = 0;
  for (;;) {
    const message = await reply(connection);
    if (message.type === 'sync-ready') return outcome(message);
    if (message.type !== 'sync-wanted') continue;
    if (message.manifest) {
      for (const entries of manifestFrames(workspace.entries)) {
        connection.send({ type: 'sync-manifest', syncRef: SYNC_REF, ...entries });
      }
      manifestSent = true;
      continue;
    }
    for (const hash of message.blobs) {
      const source = workspace.sources.get(hash);
      if (source === undefined) throw new BaleenError('INTERNAL', `the server asked for an unknown blob ${hash}`);
      sentBytes += await sendBlob(connection, hash, source);
      sentFiles += 1;
    }
  }

  function outcome(ready: SyncReadyMessage): SyncOutcome {
    return { treeHash: ready.treeHash, files: ready.files, bytes: ready.bytes, sentFiles, sentBytes, manifestSent };
  }
}

/** Bytes of entries per manifest frame: well under the server's 1 MiB frame limit, whatever the path lengths. */
const MANIFEST_FRAME_BYTES = 512 * 1024;

/** The manifest in frames of at most MAX_SYNC_ENTRIES_PER_FRAME entries and MANIFEST_FRAME_BYTES; the last is final. */
export function manifestFrames(all: readonly SyncEntry[]): { entries: SyncEntry[]; final: boolean }[] {
  const frames: { entries: SyncEntry[]; final: boolean }[] = [];
  let current: SyncEntry[] = [];
  let bytes = 0;
  for (const entry of all) {
    const size = JSON.stringify(entry).length + 1;
    if (current.length > 0 && (current.length >= MAX_SYNC_ENTRIES_PER_FRAME || bytes + size > MANIFEST_FRAME_BYTES)) {
      frames.push({ entries: current, final: false });
      current = [];
      bytes = 0;
    }
    current.push(entry);
    bytes += size;
  }
  frames.push({ entries: current, final: true });
  return frames;
}

async function sendBlob(connection: ServerConnection, hash: string, source: string): Promise<number> {
  const file = await open(source, 'r');
  try {
    const { size } = await file.stat();
    const buffer = Buffer.alloc(SYNC_CHUNK_BYTES);
    let offset = 0;
    do {
      const { bytesRead } = await file.read(buffer, 0, Math.min(SYNC_CHUNK_BYTES, size - offset), offset);
      const final = offset + bytesRead >= size;
      const data = buffer.subarray(0, bytesRead).toString('base64');
      connection.send({ type: 'sync-blob', syncRef: SYNC_REF, hash, offset, data, final });
      offset += bytesRead;
      // Each chunk is acknowledged before the next: memory stays one chunk on both sides.
      const ack = await reply(connection);
      if (ack.type !== 'sync-progress' && !(final && ack.type === 'sync-ready')) {
        throw new BaleenError('INVALID_MESSAGE', `expected sync-progress, got '${ack.type}'`);
      }
      if (bytesRead === 0) break;
    } while (offset < size);
    return size;
  } finally {
    await file.close();
  }
}
