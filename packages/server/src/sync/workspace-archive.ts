import { PassThrough, type Readable } from 'node:stream';
import { pack } from 'tar-stream';
import type { SyncEntry } from '@baleen/protocol';

/**
 * A tar stream of a synced tree: regular files (mode 644, or 755 when executable) and symlinks that stay inside
 * the tree; nothing else can be in a manifest. The engine creates the parent directories as it unpacks.
 */
export function workspaceArchive(entries: readonly SyncEntry[], openBlob: (hash: string) => Readable): Readable {
  const archive = pack();
  const mtime = new Date();
  void (async () => {
    for (const entry of entries) {
      if (entry.kind === 'symlink') {
        archive.entry({ name: entry.path, type: 'symlink', linkname: entry.target, mtime });
        continue;
      }
      await new Promise<void>((resolve, reject) => {
        const header = { name: entry.path, size: entry.size, mode: entry.executable ? 0o755 : 0o644, mtime };
        const sink = archive.entry(header, (error) => (error ? reject(error) : resolve()));
        const source = openBlob(entry.hash);
        source.once('error', reject);
        source.pipe(sink);
      });
    }
    archive.finalize();
  })().catch((error: unknown) => archive.destroy(error as Error));
  // tar-stream's streams are streamx streams: handed to the engine as a Node stream.
  const out = new PassThrough();
  archive.on('error', (error: Error) => out.destroy(error));
  archive.pipe(out);
  return out;
}
