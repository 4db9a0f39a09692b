import { createHash } from 'node:crypto';
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import path from 'node:path';
import ignore, { type Ignore } from 'ignore';
import {
  MAX_SYNC_ENTRIES,
  symlinkChainProblems,
  symlinkInsideTree,
  treeHashOf,
  type SyncEntry,
  BaleenError,
} from '@baleen/protocol';

/** Never synced, whatever the ignore files say: VCS data, dependencies the image installs, Baleen's own state. */
export const ALWAYS_IGNORED = ['.git/', 'node_modules/', '.baleen/'];

export interface ScannedWorkspace {
  root: string;
  entries: SyncEntry[];
  treeHash: string;
  totalBytes: number;
  /** Where each blob's contents are on this disk. */
  sources: Map<string, string>;
  /** What was left out and why (symlinks leaving the tree, devices, sockets...). */
  skipped: string[];
}

async function ignoreFile(root: string, name: string): Promise<string> {
  return readFile(path.join(root, name), 'utf8').catch(() => '');
}

/**
 * The project tree as a sync manifest: regular files (hashed) and symlinks that stay inside the tree, minus
 * what `.gitignore` and `.baleenignore` (in the project root) exclude. Symlinks are never followed: one that
 * points outside the tree is left out and reported, as are devices, FIFOs and sockets.
 */
export async function scanWorkspace(root: string): Promise<ScannedWorkspace> {
  const rules: Ignore = ignore()
    .add(ALWAYS_IGNORED)
    .add(await ignoreFile(root, '.gitignore'))
    .add(await ignoreFile(root, '.baleenignore'));
  const entries: SyncEntry[] = [];
  const sources = new Map<string, string>();
  const skipped: string[] = [];
  let totalBytes = 0;

  const walk = async (relativeDir: string): Promise<void> => {
    const dirents = await readdir(path.join(root, relativeDir), { withFileTypes: true });
    for (const dirent of dirents.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const relative = relativeDir === '' ? dirent.name : `${relativeDir}/${dirent.name}`;
      if (rules.ignores(dirent.isDirectory() ? `${relative}/` : relative)) continue;
      const absolute = path.join(root, relative);
      if (dirent.isDirectory()) {
        await walk(relative);
      } else if (dirent.isSymbolicLink()) {
        const target = await readlink(absolute);
        if (symlinkInsideTree(relative, target)) entries.push({ kind: 'symlink', path: relative, target });
        else skipped.push(`${relative} (a symlink to ${target}, outside the project: not followed)`);
      } else if (dirent.isFile()) {
        const info = await lstat(absolute);
        const hash = createHash('sha256')
          .update(await readFile(absolute))
          .digest('hex');
        entries.push({ kind: 'file', path: relative, hash, size: info.size, executable: (info.mode & 0o111) !== 0 });
        sources.set(hash, absolute);
        totalBytes += info.size;
      } else {
        skipped.push(`${relative} (not a regular file)`);
      }
      if (entries.length > MAX_SYNC_ENTRIES) {
        throw new BaleenError(
          'USAGE',
          `the project has more than ${MAX_SYNC_ENTRIES} files to sync; list what the tests do not need in .baleenignore`,
        );
      }
    }
  };
  await walk('');
  // Links that stay inside one by one can leave it together (`d/up -> ..`, `esc -> d/up/..`): those are left
  // out too, until what remains holds together (the server refuses a tree that does not).
  for (let problems = symlinkChainProblems(entries); problems.length > 0; problems = symlinkChainProblems(entries)) {
    for (const { path: bad, problem } of problems) {
      const index = entries.findIndex((entry) => entry.path === bad);
      if (index !== -1) entries.splice(index, 1);
      skipped.push(`${bad} (${problem}: not followed)`);
    }
  }
  return { root, entries, treeHash: treeHashOf(entries), totalBytes, sources, skipped };
}
