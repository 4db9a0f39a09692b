import path from 'node:path';

/*
 * The one rule for a path a client names inside a tree: a test file of a run (resolved from the work dir), a
 * synced workspace entry, a symlink's target. The server checks every such path with these before it is used.
 */

/** Relative, inside the tree: no leading `/`, no `..` once normalised, no NUL, no backslash tricks. */
export function isSafeRelativePath(candidate: string): boolean {
  if (candidate === '' || candidate.startsWith('/') || candidate.includes('\0') || candidate.includes('\\')) {
    return false;
  }
  const normalised = path.posix.normalize(candidate);
  return normalised !== '.' && !normalised.split('/').includes('..') && normalised === candidate;
}

/** Where a symlink at `linkPath` pointing at `target` lands, when it stays inside the tree. */
export function symlinkInsideTree(linkPath: string, target: string): boolean {
  if (target.startsWith('/') || target.includes('\0')) return false;
  const resolved = path.posix.normalize(path.posix.join(path.posix.dirname(linkPath), target));
  return resolved !== '..' && !resolved.startsWith('../') && !resolved.startsWith('/');
}
