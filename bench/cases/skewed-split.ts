import { copyFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { describeRuns, runBaleen, type BaleenRun } from '../lib/baleen-run.js';
import { dockerCucumber } from '../lib/docker-cucumber.js';
import { interleave, median, seconds } from '../lib/measure.js';
import { BENCH_IMAGE, longestMs, PROJECT_DIR, SUITES, suiteFiles, totalMs } from '../lib/project.js';
import { ratioRow, type CaseResult } from '../lib/results.js';
import type { BenchContext } from './context.js';

const SLOTS = 4;
const HISTORY = { auto: '.baleen/bench-split-auto.sqlite', off: '.baleen/bench-split-off.sqlite' } as const;

/** Case 8: one file of 10 × 2 s among short ones on 4 slots — splitting it into chunks of its scenarios. */
export async function skewedSplit(ctx: BenchContext): Promise<CaseResult> {
  const files = suiteFiles(SUITES.split);
  const args = (extra: string[]): string[] => [
    ...['--files', ...files, '--concurrency', String(SLOTS), '--network', 'none'],
    ...extra,
  ];
  // Splitting needs history (the long file's time and its scenarios'): one untimed run records it, and both
  // variants start from it, each then keeping its own.
  await rm(path.join(PROJECT_DIR, '.baleen'), { recursive: true, force: true });
  ctx.log('  recording timing history (one untimed run)');
  await runBaleen('baleen warm-up', BENCH_IMAGE, args(['--history', HISTORY.auto]), PROJECT_DIR);
  await copyFile(path.join(PROJECT_DIR, HISTORY.auto), path.join(PROJECT_DIR, HISTORY.off));

  const runs: Record<string, BaleenRun[]> = {};
  const baleen = (key: string, extra: string[]) => async (): Promise<number> => {
    const run = await runBaleen(key, BENCH_IMAGE, args(extra), PROJECT_DIR);
    (runs[key] ??= []).push(run);
    const splits = run.report.planned?.splits ?? [];
    ctx.log(
      `    ${key}: start-up · run per file ${describeRuns([run])}, ` +
        (splits.length === 0 ? 'no file split' : splits.map((s) => `${s.file} split in ${s.parts}`).join(', ')) +
        `, history ${run.report.planned?.history.source ?? 'not reported'}`,
    );
    return run.ms;
  };
  const samples = await interleave(
    ctx.reps,
    {
      'baleen --split auto': baleen('baleen --split auto', ['--split', 'auto', '--history', HISTORY.auto]),
      'baleen --split off': baleen('baleen --split off', ['--split', 'off', '--history', HISTORY.off]),
      'one container start-up': dockerCucumber(...suiteFiles(SUITES.startup)),
    },
    ctx.log,
  );
  const auto = median(samples['baleen --split auto'] ?? []);
  const off = median(samples['baleen --split off'] ?? []);
  const startup = median(samples['one container start-up'] ?? []);
  const containers = median((runs['baleen --split auto'] ?? []).map((run) => run.report.planned?.containers ?? 0));
  const longestScenario = Math.max(...SUITES.split.flatMap((file) => file.waits));
  // No scheduler beats the longest scenario plus one start-up, or all the work and every container's start-up
  // spread evenly over the slots.
  const bound = Math.max(longestScenario + startup, (totalMs(SUITES.split) + containers * startup) / SLOTS);
  const unsplitBound = Math.max(
    longestMs(SUITES.split) + startup,
    (totalMs(SUITES.split) + SUITES.split.length * startup) / SLOTS,
  );
  const lastSplits = runs['baleen --split auto']?.at(-1)?.report.planned;
  const name = `8. skewed with splitting: 20 files (one of 10 × 2 s), ${SLOTS} slots`;
  return {
    rows: [
      {
        ...ratioRow(
          `${name}; --split auto`,
          auto,
          `bound max(longest scenario + s, (total + ${containers} containers × s) / slots)`,
          bound,
          { max: 1.15 },
        ),
        startup: describeRuns(runs['baleen --split auto'] ?? []),
      },
      {
        ...ratioRow(`${name}; --split auto`, auto, 'Baleen --split off', off),
        startup: describeRuns(runs['baleen --split auto'] ?? []),
      },
      {
        ...ratioRow(
          `${name}; --split off`,
          off,
          'bound without splitting: max(longest file + s, (total + n·s) / slots)',
          unsplitBound,
        ),
        startup: describeRuns(runs['baleen --split off'] ?? []),
      },
    ],
    notes: [
      `${seconds(totalMs(SUITES.split))} of waiting: ${seconds(longestMs(SUITES.split))} in the 14th file (10 scenarios of 2 s), the other 19 files 1–2 s each. One container's start-up (s): ${seconds(startup)}.`,
      `What the server decided on the last --split auto run: ${
        lastSplits === undefined
          ? 'no plan reported'
          : lastSplits.splits.length === 0
            ? `no file split, ${lastSplits.containers} containers (history: ${lastSplits.history.source}, ${lastSplits.history.known}/${lastSplits.history.total} files known) — splitting needs the server's history of the file and its scenarios`
            : `${lastSplits.splits.map((s) => `${s.file} split in ${s.parts}`).join(', ')}, ${lastSplits.containers} containers (history: ${lastSplits.history.source})`
      }.`,
      'Both variants ran after one untimed run that recorded the history, and keep separate timing files from then on.',
    ],
  };
}
