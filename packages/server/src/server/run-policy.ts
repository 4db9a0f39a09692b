import path from 'node:path';

/** A test file path must stay inside the work dir: relative, and never climbing out with `..`. */
export function unsafePath(file: string): boolean {
  if (file.startsWith('/') || file.includes('\0')) return true;
  return path.posix.normalize(file).split('/').includes('..');
}
