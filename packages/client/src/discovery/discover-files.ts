import { stat } from 'node:fs/promises';
import path from 'node:path';
import { BaleenError } from '@baleen/protocol';
import fg from 'fast-glob';

export interface DiscoveryOptions {
  cwd: string;
  /** What a directory stands for, e.g. `**\/*.feature`. */
  directoryPattern: string;
}

const IGNORE = ['**/node_modules/**'];

/**
 * Turns the user's --files into test files: a directory means every file matching the pattern under it, a glob
 * means its matches, a file means itself. Results are relative to `cwd` in POSIX form, de-duplicated and sorted
 * so two runs of the same tree send the same list. An input that matches nothing is an error: a typo must never
 * silently shrink the suite.
 */
export async function discoverFiles(inputs: readonly string[], options: DiscoveryOptions): Promise<string[]> {
  const found = new Set<string>();
  for (const input of inputs) {
    const matches = await expand(input, options);
    if (matches.length === 0) {
      throw new BaleenError(
        'NO_FILES_FOUND',
        `no test files match '${input}' (a directory is searched for ${options.directoryPattern}) — check the path`,
      );
    }
    for (const absolute of matches) found.add(toRelative(absolute, input, options.cwd));
  }
  return [...found].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

async function expand(input: string, { cwd, directoryPattern }: DiscoveryOptions): Promise<string[]> {
  const absolute = path.resolve(cwd, input);
  const info = await stat(absolute).catch(() => undefined);
  if (info?.isDirectory() === true) {
    return fg(directoryPattern, { cwd: absolute, absolute: true, ignore: IGNORE, onlyFiles: true });
  }
  if (info !== undefined) return [absolute];
  if (fg.isDynamicPattern(input)) {
    return fg(input, { cwd, absolute: true, ignore: IGNORE, onlyFiles: true });
  }
  throw new BaleenError('NO_FILES_FOUND', `no such file or directory: '${input}'`);
}

function toRelative(absolute: string, input: string, cwd: string): string {
  const relative = path.relative(cwd, absolute);
  if (relative.startsWith('..') || path.isAbsolute(relative)) {
    throw new BaleenError(
      'USAGE',
      `'${input}' is outside the current directory; run baleen from your project root so paths match the image's work dir`,
    );
  }
  return relative.split(path.sep).join('/');
}
