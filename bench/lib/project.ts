import { execFile } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const exec = promisify(execFile);

export const BENCH_DIR = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
export const REPO_ROOT = path.dirname(BENCH_DIR);
/** Generated each run, never committed: the project the client runs from, and the image's build context. */
export const PROJECT_DIR = path.join(BENCH_DIR, '.work', 'project');
export const BALEEN_BIN = path.join(REPO_ROOT, 'packages/client/bin/baleen.js');
export const SERVER_BIN = path.join(REPO_ROOT, 'packages/server/bin/baleen-server.js');
export const FIXTURES_IMAGE = process.env['BALEEN_FIXTURES_IMAGE'] ?? 'baleen-fixtures:latest';
export const BENCH_IMAGE = 'baleen-bench:latest';

const pad = (n: number): string => String(n).padStart(2, '0');

function waitFeature(name: string, waits: number[]): string {
  const scenarios = waits.map(
    (ms, i) => `  Scenario: part ${i + 1}\n    Given I wait ${ms} milliseconds\n    Then the result is 0\n`,
  );
  return `Feature: ${name}\n\n${scenarios.join('\n')}`;
}

/** The suites of every case, as file name → waits (ms) of its scenarios. Deterministic, so runs compare. */
export const SUITES = {
  /** 24 files of one 2–6 s wait each: 96 s of work, longest 6 s. */
  io: Array.from({ length: 24 }, (_, i) => ({
    file: `io/io-${pad(i + 1)}.feature`,
    waits: [2000 + 1000 * (((i + 1) * 3) % 5)],
  })),
  /** 20 files: one of 20 s (the 14th, so that the given order does not start it first), the rest 1–5 s. */
  skew: Array.from({ length: 20 }, (_, i) => ({
    file: `skew/skew-${pad(i + 1)}.feature`,
    waits: [i === 13 ? 20_000 : 1000 + 1000 * (((i + 1) * 2) % 5)],
  })),
  /**
   * 20 files: one of 10 scenarios × 2 s (the 14th), the rest 1–2 s in one or two scenarios (28 s in all): the long
   * file is longer than a fair share of 4 slots, so that splitting it pays.
   */
  split: Array.from({ length: 20 }, (_, i) => ({
    file: `split/split-${pad(i + 1)}.feature`,
    waits: i === 13 ? Array.from({ length: 10 }, () => 2000) : ([[1000], [750, 750], [1000, 1000]][i % 3] ?? []),
  })),
  /** 12 files of 0.6–2.8 s, every one a different length (0.2 s apart), in no particular order by name. */
  ci: Array.from({ length: 12 }, (_, i) => ({
    file: `ci/ci-${pad(i + 1)}.feature`,
    waits: [600 + 200 * ((i * 5) % 12)],
  })),
  /** 20 short files per client of the shared-server case. */
  load: Array.from({ length: 20 }, (_, i) => ({ file: `load/load-${pad(i + 1)}.feature`, waits: [500] })),
  /** One container's start-up: cucumber-js loading and running a scenario that does nothing. */
  startup: [{ file: 'startup/startup.feature', waits: [0] }],
} as const;

export function totalMs(suite: readonly { waits: readonly number[] }[]): number {
  return suite.reduce((sum, file) => sum + file.waits.reduce((a, b) => a + b, 0), 0);
}

export function longestMs(suite: readonly { waits: readonly number[] }[]): number {
  return Math.max(...suite.map((file) => file.waits.reduce((a, b) => a + b, 0)));
}

/** Writes the bench project and builds its image on top of the fixtures image (their step definitions). */
export async function prepareProject(log: (line: string) => void): Promise<void> {
  await writeProject();
  log(`building ${BENCH_IMAGE} from ${FIXTURES_IMAGE}`);
  await exec('docker', ['build', '--quiet', '--tag', BENCH_IMAGE, PROJECT_DIR], {
    env: { ...process.env, DOCKER_BUILDKIT: '0' },
  });
}

/** The bench project's files (the client runs from there; the image is built from them). Deterministic. */
export async function writeProject(): Promise<void> {
  await rm(PROJECT_DIR, { recursive: true, force: true });
  const features = path.join(PROJECT_DIR, 'bench-features');
  for (const suite of Object.values(SUITES)) {
    for (const { file, waits } of suite) {
      await mkdir(path.dirname(path.join(features, file)), { recursive: true });
      await writeFile(path.join(features, file), waitFeature(file, [...waits]));
    }
  }
  // Case 1's files are only names: the command does nothing with them.
  await mkdir(path.join(features, 'noop'), { recursive: true });
  for (let i = 1; i <= 40; i++) await writeFile(path.join(features, 'noop', `noop-${pad(i)}.txt`), '');
  await writeFile(path.join(features, 'flood.txt'), '');
  await writeFile(path.join(PROJECT_DIR, '.dockerignore'), '.baleen\nDockerfile\n');
  await writeFile(
    path.join(PROJECT_DIR, 'Dockerfile'),
    `FROM ${FIXTURES_IMAGE}\nCOPY bench-features /app/bench-features\n`,
  );
}

/** The feature files of a suite, as the client (running in PROJECT_DIR) names them. */
export function suiteFiles(suite: readonly { file: string }[]): string[] {
  return suite.map(({ file }) => `bench-features/${file}`);
}
