import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describeRuns, runBaleen, type BaleenRun } from '../lib/baleen-run.js';
import { interleave, median, seconds } from '../lib/measure.js';
import { BENCH_IMAGE, PROJECT_DIR, SUITES, suiteFiles } from '../lib/project.js';
import { ratioRow, type CaseResult, type ResultRow } from '../lib/results.js';
import { startServer } from '../lib/server-process.js';
import type { BenchContext } from './context.js';
import { HistoryStore } from '../../packages/server/src/history/history-store.js';

const CONCURRENCY = 3;
const SUITE_DIR = 'bench-features/ci';

/** A checkout of the bench project with only the CI suite's files, and no .baleen/: what a CI job starts from. */
async function checkout(kind: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), `baleen-bench-${kind}-`));
  await cp(path.join(PROJECT_DIR, SUITE_DIR), path.join(dir, SUITE_DIR), { recursive: true });
  return dir;
}

/**
 * Files longest first by the server's own history of the suite (its history.sqlite: the median of each file's
 * last runs), the order Baleen starts them in; the files' designed order while the server knows none.
 */
function longestFirst(stateDir: string, suite: string, designed: readonly string[]): string[] {
  const store = HistoryStore.open(path.join(stateDir, 'history.sqlite'));
  try {
    const known = store.fileEstimates(suite, designed);
    if (known.size === 0) return [...designed];
    const ms = (file: string): number => known.get(file)?.durationMs ?? Number.POSITIVE_INFINITY;
    return [...designed].sort((a, b) => ms(b) - ms(a) || (a < b ? -1 : 1));
  } finally {
    store.close();
  }
}

/**
 * How far a run's start order is from the expected one: the largest move of any file. Containers started together
 * (up to the concurrency) may report their start in any order, so a move below the concurrency still matches.
 */
function largestMove(started: readonly string[], expected: readonly string[]): number {
  if (started.length !== expected.length) return Number.POSITIVE_INFINITY;
  return Math.max(...started.map((file, i) => Math.abs(i - expected.indexOf(file))));
}

/**
 * Case 9: a CI job starts from a fresh checkout (no .baleen/) against a shared server that has run the suite
 * before. Its start order should be the history's longest-first order, as a warm local checkout's is.
 */
export async function ciColdStart(ctx: BenchContext): Promise<CaseResult> {
  const server = await startServer(['--capacity', String(CONCURRENCY)]);
  const warmDir = await checkout('warm');
  try {
    const args = ['--files', SUITE_DIR, '--server', server.url, '--concurrency', String(CONCURRENCY)];
    ctx.log('  the shared server sees the suite once (untimed, from a checkout that keeps its .baleen/)');
    await runBaleen('baleen first run', BENCH_IMAGE, args, warmDir);
    // The suite the server files these runs under: the image's repository.
    const suite = BENCH_IMAGE.split(':')[0] ?? BENCH_IMAGE;
    const designed = [...SUITES.ci]
      .sort((a, b) => (b.waits[0] ?? 0) - (a.waits[0] ?? 0))
      .map(({ file }) => `bench-features/${file}`);
    const short = (files: readonly string[]): string => files.map((file) => path.basename(file, '.feature')).join(' ');
    ctx.log(`  longest first by design: ${short(designed)}`);

    const runs: Record<string, BaleenRun[]> = {};
    const moves: Record<string, number[]> = {};
    const agreeing: boolean[] = [];
    // Each run against the order the server's history gives at that moment.
    const measure = async (key: string, dir: string): Promise<number> => {
      const expected = longestFirst(server.stateDir, suite, designed);
      agreeing.push(expected.join(' ') === designed.join(' '));
      const run = await runBaleen(key, BENCH_IMAGE, args, dir);
      (runs[key] ??= []).push(run);
      const move = largestMove(run.started, expected);
      (moves[key] ??= []).push(move);
      ctx.log(
        `    ${key}: started ${short(run.started)}; history says ${short(expected)} ` +
          `(largest move ${move}; server history ${run.report.planned?.history.source ?? 'not reported'})`,
      );
      return run.ms;
    };
    const samples = await interleave(
      ctx.reps,
      {
        'warm checkout': () => measure('warm checkout', warmDir),
        'CI cold start': async () => {
          const dir = await checkout('cold');
          try {
            return await measure('CI cold start', dir);
          } finally {
            await rm(dir, { recursive: true, force: true });
          }
        },
      },
      ctx.log,
    );
    const cold = median(samples['CI cold start'] ?? []);
    const warm = median(samples['warm checkout'] ?? []);
    const name = `9. CI cold start: ${suiteFiles(SUITES.ci).length} files of 0.6–2.8 s, shared server, concurrency ${CONCURRENCY}`;
    const orderRow = (key: string): ResultRow => {
      const all = moves[key] ?? [];
      const matched = all.filter((move) => move < CONCURRENCY).length;
      return {
        case: `${name}; ${key}`,
        baleen: `${matched}/${all.length} runs in order (largest move ${Math.max(...all)})`,
        alternative: 'start order = longest first from history',
        other: '—',
        ratio: undefined,
        goal: `every run (moves < ${CONCURRENCY})`,
        met: all.length > 0 && matched === all.length,
        startup: describeRuns(runs[key] ?? []),
      };
    };
    return {
      rows: [
        orderRow('CI cold start'),
        orderRow('warm checkout'),
        {
          ...ratioRow(`${name}; CI cold start`, cold, 'the same suite from the warm checkout', warm),
          startup: describeRuns(runs['CI cold start'] ?? []),
        },
      ],
      notes: [
        `One baleen-server (capacity ${CONCURRENCY}) for the whole case. It ran the suite once, untimed, from a checkout kept for the case (the "warm checkout"); each "CI cold start" is a fresh temporary copy of the suite's files with no .baleen/.`,
        `Start order from the live view's "▶ started" lines, against the server's history (history.sqlite in its --state-dir) at that moment sorted longest first (it was the files' designed order before ${agreeing.filter(Boolean).length} of ${agreeing.length} runs — durations include start-up, so a busy moment can swap neighbours). A file may move less than the concurrency: containers started together report in any order.`,
        `The server orders every run by its history of the suite, whatever the checkout holds: a fresh CI checkout starts as a warm one does.`,
        `Median wall time: CI cold start ${seconds(cold)}, warm checkout ${seconds(warm)}.`,
      ],
    };
  } finally {
    await rm(warmDir, { recursive: true, force: true });
    await server.stop();
  }
}
