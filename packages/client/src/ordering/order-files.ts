import { randomInt } from 'node:crypto';

export const ORDERS = ['timing', 'given', 'random'] as const;
export type Order = (typeof ORDERS)[number];

/**
 * The order files start in. `timing`: longest first by history, files without history first of all (they may be
 * long), so the tail of the run is made of short files and slots do not idle behind one long straggler.
 * `random`: a seeded shuffle, reproducible with the printed seed. `given`: as discovered.
 */
export function orderFiles(
  files: readonly string[],
  order: Order,
  options: { durationOf: (file: string) => number | undefined; seed: number },
): string[] {
  switch (order) {
    case 'given':
      return [...files];
    case 'timing':
      return files
        .map((file, index) => ({ file, index, ms: options.durationOf(file) ?? Number.POSITIVE_INFINITY }))
        .sort((a, b) => b.ms - a.ms || a.index - b.index)
        .map((entry) => entry.file);
    case 'random':
      return shuffle(files, options.seed);
  }
}

export function newSeed(): number {
  return randomInt(1, 2 ** 31 - 1);
}

/** Fisher–Yates with mulberry32: the same seed gives the same order on every machine. */
function shuffle(files: readonly string[], seed: number): string[] {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const result = [...files];
  for (let i = result.length - 1; i > 0; i -= 1) {
    const j = Math.floor(next() * (i + 1));
    [result[i], result[j]] = [result[j] as string, result[i] as string];
  }
  return result;
}
