import { createHash } from 'node:crypto';
import { z } from 'zod';
import { MAX_PATH_LENGTH } from './limits.js';
import { isSafeRelativePath, symlinkInsideTree } from './tree-paths.js';

/**
 * Workspace sync: the client's project tree travels with a run, content-addressed, so that an unchanged tree
 * or file is never sent twice. The exchange, before the `run` that uses it:
 *
 *   client: sync-offer {treeHash}
 *   server: sync-wanted {manifest: true|false, blobs: [...]}   (nothing wanted: sync-ready at once)
 *   client: sync-manifest {entries, final} ...                 (only when asked; then a new sync-wanted)
 *   client: sync-blob {hash, offset, data, final} ...          (one chunk at a time; each answered by sync-progress)
 *   server: sync-ready {treeHash}
 *   client: run {sync: {treeHash}}
 */

/** Raw bytes per sync-blob frame: base64 makes it ~700 KB, under the server's 1 MiB frame limit. */
export const SYNC_CHUNK_BYTES = 512 * 1024;
export const MAX_SYNC_ENTRIES = 100_000;
export const MAX_SYNC_ENTRIES_PER_FRAME = 2_000;

const sha256 = z.string().regex(/^[a-f0-9]{64}$/, 'must be a sha256 in hex');
const treePath = z
  .string()
  .min(1)
  .max(MAX_PATH_LENGTH)
  .refine(isSafeRelativePath, 'must be a normalised relative path inside the tree');
const syncRef = z.string().min(1).max(100);

export const syncEntrySchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('file'),
    path: treePath,
    hash: sha256,
    size: z.int().nonnegative(),
    executable: z.boolean(),
  }),
  z
    .object({ kind: z.literal('symlink'), path: treePath, target: z.string().min(1).max(MAX_PATH_LENGTH) })
    .refine((link) => symlinkInsideTree(link.path, link.target), 'a symlink must point inside the tree'),
]);

export const syncOfferSchema = z.object({ type: z.literal('sync-offer'), syncRef, treeHash: sha256 });
export const syncManifestSchema = z.object({
  type: z.literal('sync-manifest'),
  syncRef,
  entries: z.array(syncEntrySchema).max(MAX_SYNC_ENTRIES_PER_FRAME),
  final: z.boolean(),
});
export const syncBlobSchema = z.object({
  type: z.literal('sync-blob'),
  syncRef,
  hash: sha256,
  offset: z.int().nonnegative(),
  /** base64 of at most SYNC_CHUNK_BYTES. */
  data: z.base64().max(Math.ceil(SYNC_CHUNK_BYTES / 3) * 4),
  final: z.boolean(),
});

export const syncWantedSchema = z.object({
  type: z.literal('sync-wanted'),
  syncRef: z.string(),
  manifest: z.boolean(),
  blobs: z.array(z.string()),
});
export const syncProgressSchema = z.object({
  type: z.literal('sync-progress'),
  syncRef: z.string(),
  hash: z.string(),
  receivedBytes: z.int().nonnegative(),
});
export const syncReadySchema = z.object({
  type: z.literal('sync-ready'),
  syncRef: z.string(),
  treeHash: z.string(),
  files: z.int().nonnegative(),
  bytes: z.int().nonnegative(),
});

export type SyncEntry = z.infer<typeof syncEntrySchema>;
export type SyncOfferMessage = z.infer<typeof syncOfferSchema>;
export type SyncManifestMessage = z.infer<typeof syncManifestSchema>;
export type SyncBlobMessage = z.infer<typeof syncBlobSchema>;
export type SyncWantedMessage = z.infer<typeof syncWantedSchema>;
export type SyncProgressMessage = z.infer<typeof syncProgressSchema>;
export type SyncReadyMessage = z.infer<typeof syncReadySchema>;

/** The hash that names a tree: of its entries in path order, each in a fixed JSON form. Client and server agree. */
export function treeHashOf(entries: readonly SyncEntry[]): string {
  const hash = createHash('sha256');
  for (const entry of [...entries].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    const canonical =
      entry.kind === 'file'
        ? ['file', entry.path, entry.hash, entry.size, entry.executable]
        : ['symlink', entry.path, entry.target];
    hash.update(`${JSON.stringify(canonical)}\n`);
  }
  return hash.digest('hex');
}
