import { rm } from 'node:fs/promises';
import path from 'node:path';
import { interleave, median, seconds, timeOk } from '../lib/measure.js';
import { BENCH_DIR, BENCH_IMAGE, longestMs, PROJECT_DIR, SUITES, suiteFiles, totalMs } from '../lib/project.js';
import { dockerCucumber } from '../lib/docker-cucumber.js';
import { timeBaleen } from '../lib/baleen-cli.js';
import { ratioRow, type CaseResult } from '../lib/results.js';
import type { BenchContext } from './context.js';

const SLOTS = 4;

/** Case 3: a skewed suite on few slots — timing history against the given order and fixed batches. */
export async function skewed(ctx: BenchContext): Promise<CaseResult> {
  const files = suiteFiles(SUITES.skew);
  const baleen = (order: string[]) => () =>
    timeBaleen('baleen cucumber', 'cucumber', [
      ...['--files', ...files],
      ...['--concurrency', String(SLOTS), '--network', 'none', ...order],
    ]);
  // A first run records the timing history that the "with history" variant then uses (its default order).
  await rm(path.join(PROJECT_DIR, '.baleen'), { recursive: true, force: true });
  ctx.log('  recording timing history (one run in the given order)');
  await baleen(['--order', 'given'])();
  const samples = await interleave(
    ctx.reps,
    {
      'baleen, timing history': baleen([]),
      'baleen, given order': baleen(['--order', 'given']),
      'fixed batches of 4 (original baleen)': () =>
        timeOk('fixed batches', 'node', [
          path.join(BENCH_DIR, 'alternatives/fixed-batches.mjs'),
          BENCH_IMAGE,
          String(SLOTS),
          ...files,
        ]),
      'one container start-up': dockerCucumber(...suiteFiles(SUITES.startup)),
    },
    ctx.log,
  );
  const history = median(samples['baleen, timing history'] ?? []);
  const startup = median(samples['one container start-up'] ?? []);
  const bound = Math.max(longestMs(SUITES.skew), totalMs(SUITES.skew) / SLOTS) + startup;
  // What no scheduler can beat once every file pays its own start-up: the longest file plus one start-up, or
  // all the work and all the start-ups spread evenly over the slots.
  const achievable = Math.max(
    longestMs(SUITES.skew) + startup,
    (totalMs(SUITES.skew) + SUITES.skew.length * startup) / SLOTS,
  );
  const name = '3. skewed: 20 files (one 20 s), 4 slots';
  return {
    rows: [
      ratioRow(name, history, 'lower bound max(longest, total/slots) + start-up', bound, { max: 1.1 }),
      ratioRow(name, history, 'floor with a start-up per file: max(longest + s, (total + n·s) / slots)', achievable),
      ratioRow(
        name,
        history,
        'fixed batches of 4 (original baleen)',
        median(samples['fixed batches of 4 (original baleen)'] ?? []),
        { max: 0.75 },
      ),
      ratioRow(name, history, 'Baleen in the given order', median(samples['baleen, given order'] ?? [])),
    ],
    notes: [
      `${seconds(totalMs(SUITES.skew))} of waiting; the 20 s file is the 14th of 20 in the given order. Baleen "with history" is its default order on a run after the first.`,
      `One container's start-up: ${seconds(startup)}.`,
    ],
  };
}
