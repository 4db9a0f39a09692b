import path from 'node:path';
import { interleave, median, seconds, timeOk } from '../lib/measure.js';
import { BENCH_DIR, BENCH_IMAGE, longestMs, SUITES, suiteFiles, totalMs } from '../lib/project.js';
import { CUCUMBER, dockerCucumber } from '../lib/docker-cucumber.js';
import { timeBaleen } from '../lib/baleen-cli.js';
import { ratioRow, type CaseResult } from '../lib/results.js';
import type { BenchContext } from './context.js';

/** Case 2: an IO-bound suite (24 files, 2–6 s each) — Baleen against cucumber-js alone, serial and --parallel 4. */
export async function ioBound(ctx: BenchContext): Promise<CaseResult> {
  const files = suiteFiles(SUITES.io);
  const baleen = () =>
    timeBaleen('baleen cucumber', 'cucumber', [
      ...['--files', 'bench-features/io'],
      ...['--concurrency', String(files.length), '--network', 'none'],
    ]);
  // As a team runs it: after a first run has recorded how long each file takes (the history CI caches), so the
  // longest files start first. The first, cold run is not timed.
  ctx.log('  recording timing history (one untimed run)');
  await baleen();
  const samples = await interleave(
    ctx.reps,
    {
      baleen,
      'cucumber-js serial, one container': dockerCucumber(...files),
      'cucumber-js --parallel 4, one container': dockerCucumber('--parallel', '4', ...files),
      'one container start-up': dockerCucumber(...suiteFiles(SUITES.startup)),
      // The machine's floor for starting this many cucumber containers at once: a bare dockerode loop running
      // 24 scenarios that do nothing, all at once. On few cores the start-ups, not the waits, set the pace.
      '24 start-ups at once (bare loop)': () =>
        timeOk('bare loop start-ups', 'node', [
          path.join(BENCH_DIR, 'alternatives/bare-loop.mjs'),
          ...[BENCH_IMAGE, String(files.length), 'none', JSON.stringify([CUCUMBER])],
          ...Array.from({ length: files.length }, () => suiteFiles(SUITES.startup)[0] ?? ''),
        ]),
    },
    ctx.log,
  );
  const b = median(samples['baleen'] ?? []);
  const startup = median(samples['one container start-up'] ?? []);
  const bound = longestMs(SUITES.io) + startup;
  const startups = median(samples['24 start-ups at once (bare loop)'] ?? []);
  const floor = Math.max(bound, startups);
  const name = '2. IO-bound: 24 files, 2–6 s each';
  return {
    rows: [
      ratioRow(name, b, 'lower bound (longest file + one start-up)', bound, { max: 1.15 }),
      ratioRow(name, b, 'machine floor: max(that bound, 24 start-ups at once)', floor),
      ratioRow(
        name,
        b,
        'cucumber-js serial, one container',
        median(samples['cucumber-js serial, one container'] ?? []),
      ),
      ratioRow(
        name,
        b,
        'cucumber-js --parallel 4, one container',
        median(samples['cucumber-js --parallel 4, one container'] ?? []),
      ),
    ],
    notes: [
      `${seconds(totalMs(SUITES.io))} of waiting in all, longest file ${seconds(longestMs(SUITES.io))}; Baleen at concurrency 24 with its timing history (one untimed run first), network none everywhere.`,
      `One container's start-up (docker run of cucumber-js on a scenario that does nothing): ${seconds(startup)}; 24 of them at once with a bare dockerode loop: ${seconds(startups)}. Both measured in the same run.`,
      'When 24 cucumber start-ups at once take longer than the longest file, the issue’s bound (longest file + one start-up) cannot be reached: it assumes start-ups share no CPU. The machine floor is the larger of the two.',
    ],
  };
}
