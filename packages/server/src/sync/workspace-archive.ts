import { PassThrough, type Readable } from 'node:stream';
import { pack } from 'tar-stream';
import type { SyncEntry } from '@baleen/protocol';

/** A stored blob: its size as stored, and a fresh stream of its bytes. */
export interface ArchiveBlob {
  size: number;
  open: () => Readable;
}

/**
 * A tar stream of a synced tree: regular files (mode 644, or 755 when executable) and symlinks that stay inside
 * the tree; nothing else can be in a manifest. The engine creates the parent directories as it unpacks. Each
 * file's size is its stored blob's, never a manifest's; any failure (a blob that cannot be read, or that reads
 * to another length) ends the stream with that error — the container that wanted it errs, nothing else does.
 */
export function workspaceArchive(entries: readonly SyncEntry[], blobOf: (hash: string) => ArchiveBlob): Readable {
  const archive = pack();
  const mtime = new Date();
  void (async () => {
    for (const entry of entries) {
      if (entry.kind === 'symlink') {
        archive.entry({ name: entry.path, type: 'symlink', linkname: entry.target, mtime });
        continue;
      }
      await new Promise<void>((resolve, reject) => {
        const blob = blobOf(entry.hash);
        const header = { name: entry.path, size: blob.size, mode: entry.executable ? 0o755 : 0o644, mtime };
        const sink = archive.entry(header, (error) => (error ? reject(error) : resolve()));
        // tar-stream's entry emits 'error' too ("Size mismatch"): unheard, it would end the process.
        sink.on('error', reject);
        const source = blob.open();
        source.once('error', (error) => {
          reject(error);
          sink.destroy(error);
        });
        source.pipe(sink);
      });
    }
    archive.finalize();
  })().catch((error: unknown) => archive.destroy(error instanceof Error ? error : new Error(String(error))));
  // tar-stream's streams are streamx streams: handed to the engine as a Node stream.
  const out = new PassThrough();
  archive.on('error', (error: Error) => out.destroy(error));
  archive.pipe(out);
  return out;
}
