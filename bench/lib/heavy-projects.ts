import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { BENCH_DIR, REPO_ROOT } from './project.js';

const exec = promisify(execFile);

/** A committed benchmark project (bench/fixtures) whose every cucumber process pays seconds of start-up. */
export interface HeavyProject {
  name: 'ts-heavy' | 'esm-heavy';
  /** How the project loads its support code, for the RESULTS rows. */
  title: string;
  /** Where the client runs from: the project itself (its features and cucumber config). */
  dir: string;
  image: string;
}

export const HEAVY_PROJECTS = {
  'ts-heavy': {
    name: 'ts-heavy',
    title: 'TypeScript through ts-node (cucumber 8)',
    dir: path.join(BENCH_DIR, 'fixtures', 'ts-heavy'),
    image: 'baleen-bench-ts-heavy:latest',
  },
  'esm-heavy': {
    name: 'esm-heavy',
    title: 'ESM, large module tree (cucumber 12)',
    dir: path.join(BENCH_DIR, 'fixtures', 'esm-heavy'),
    image: 'baleen-bench-esm-heavy:latest',
  },
} as const satisfies Record<string, HeavyProject>;

/** Installs, generates and imports the project's image unless it is up to date (scripts/build-bench-images.sh). */
export async function ensureHeavyImage(project: HeavyProject, log: (line: string) => void): Promise<void> {
  log(`  making sure ${project.image} is built`);
  await exec('bash', [path.join(REPO_ROOT, 'scripts/build-bench-images.sh'), project.name], {
    maxBuffer: 16 * 1024 * 1024,
  });
}

/** The project's feature files as cucumber-js in the image names them (relative to /app), sorted. */
export async function heavyFeatureFiles(project: HeavyProject): Promise<string[]> {
  const names = await readdir(path.join(project.dir, 'features'));
  return names
    .filter((name) => name.endsWith('.feature'))
    .sort()
    .map((name) => `features/${name}`);
}
