import path from 'node:path';

/** `*` matches any run of characters; everything else is literal. */
function patternToRegExp(pattern: string): RegExp {
  const escaped = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${escaped.join('.*')}$`);
}

/** With no patterns every image is allowed; otherwise the image must match one. */
export function imageAllowed(image: string, patterns: readonly string[]): boolean {
  return patterns.length === 0 || patterns.some((pattern) => patternToRegExp(pattern).test(image));
}

/** A test file path must stay inside the work dir: relative, and never climbing out with `..`. */
export function unsafePath(file: string): boolean {
  if (file.startsWith('/') || file.includes('\0')) return true;
  return path.posix.normalize(file).split('/').includes('..');
}
