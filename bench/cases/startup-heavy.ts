import { copyFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { describeRuns, runBaleen, startupFigures, type BaleenRun } from '../lib/baleen-run.js';
import { dockerCucumberIn, xargsDockerRun } from '../lib/docker-cucumber.js';
import { ensureHeavyImage, HEAVY_PROJECTS, heavyFeatureFiles, type HeavyProject } from '../lib/heavy-projects.js';
import { interleave, median, seconds } from '../lib/measure.js';
import { ratioRow, type CaseResult, type ResultRow } from '../lib/results.js';
import type { BenchContext } from './context.js';

/** The same N for Baleen and every alternative: containers at once, or cucumber-js workers. */
const CONCURRENCIES = [2, 4] as const;
/** Separate histories, so that one variant's runs never reorder the other's. */
const HISTORY = {
  default: '.baleen/bench-default.sqlite',
  pack: '.baleen/bench-pack.sqlite',
  auto: '.baleen/bench-pack-auto.sqlite',
} as const;

/** Case 6: a TypeScript suite through ts-node, seconds of type-checking in every process. */
export const tsHeavy = (ctx: BenchContext): Promise<CaseResult> => startupHeavy(ctx, HEAVY_PROJECTS['ts-heavy'], '6');
/** Case 7: an ESM suite whose support code imports hundreds of modules in every process. */
export const esmHeavy = (ctx: BenchContext): Promise<CaseResult> => startupHeavy(ctx, HEAVY_PROJECTS['esm-heavy'], '7');

/**
 * What --pack saves when start-up dominates: at N = 2 and 4, Baleen with one container per file and with --pack,
 * against `xargs -P N docker run` of one file each, and cucumber-js --parallel N and serial in one container.
 */
async function startupHeavy(ctx: BenchContext, project: HeavyProject, number: string): Promise<CaseResult> {
  await ensureHeavyImage(project, ctx.log);
  const files = await heavyFeatureFiles(project);
  const history = path.join(project.dir, '.baleen');
  await rm(history, { recursive: true, force: true });
  const baleenArgs = (n: number, extra: string[]): string[] => [
    ...['--concurrency', String(n), '--network', 'none'],
    ...extra,
  ];

  // As a team runs it: after a run has recorded each file's time. That run also gives what --pack should be.
  ctx.log('  recording timing history (one untimed run, one container per file, concurrency 4)');
  const warm = await runBaleen(
    'baleen warm-up',
    project.image,
    baleenArgs(4, ['--history', HISTORY.default]),
    project.dir,
  );
  await copyFile(path.join(project.dir, HISTORY.default), path.join(project.dir, HISTORY.pack));
  await copyFile(path.join(project.dir, HISTORY.default), path.join(project.dir, HISTORY.auto));
  const warmFigures = startupFigures(warm.report);
  const work = warm.report.files.reduce((sum, file) => sum + (file.runMs ?? 0), 0);
  const packSeconds = (n: number): number => packFor(work, warmFigures.startupMs, n);
  ctx.log(
    `  warm-up: ${seconds(warm.ms)}; per file start-up ${seconds(warmFigures.startupMs)}, run ${seconds(warmFigures.runMs)} ` +
      `(medians); scenario time in all ${seconds(work)} → --pack ${CONCURRENCIES.map(packSeconds).join(' / ')} s at N = ${CONCURRENCIES.join(' / ')}`,
  );

  const runs: Record<string, BaleenRun[]> = {};
  const baleen = (key: string, n: number, extra: string[]) => async (): Promise<number> => {
    const run = await runBaleen(key, project.image, baleenArgs(n, extra), project.dir);
    (runs[key] ??= []).push(run);
    const planned = run.report.planned;
    ctx.log(
      `    ${key}: start-up · run per file ${describeRuns([run])}` +
        (planned === undefined ? '' : `, ${planned.packs} packs, history ${planned.history.source}`),
    );
    return run.ms;
  };
  const variants: Record<string, () => Promise<number>> = {
    'cucumber-js serial, one container': dockerCucumberIn(project.image),
    'one container, one file': dockerCucumberIn(project.image, shortestFile(warm, files)),
  };
  for (const n of CONCURRENCIES) {
    variants[`baleen N=${n}`] = baleen(`baleen N=${n}`, n, ['--history', HISTORY.default]);
    variants[`baleen --pack N=${n}`] = baleen(`baleen --pack N=${n}`, n, [
      ...['--pack', String(packSeconds(n)), '--history', HISTORY.pack],
    ]);
    variants[`baleen --pack auto N=${n}`] = baleen(`baleen --pack auto N=${n}`, n, [
      ...['--pack', 'auto', '--history', HISTORY.auto],
    ]);
    variants[`xargs N=${n}`] = xargsDockerRun(project.image, n, files);
    variants[`cucumber-js --parallel N=${n}`] = dockerCucumberIn(project.image, '--parallel', String(n));
  }
  const samples = await interleave(ctx.reps, variants, ctx.log);
  const at = (name: string): number => median(samples[name] ?? []);

  const name = `${number}. ${project.name}: ${files.length} files, ${project.title}`;
  const rows: ResultRow[] = [];
  for (const n of CONCURRENCIES) {
    const plain = `baleen N=${n}`;
    const packed = `baleen --pack N=${n}`;
    const xargs = `xargs -P ${n} docker run --rm, one file each`;
    const parallel = `cucumber-js --parallel ${n}, one container`;
    const onePerFile = { startup: describeRuns(runs[plain] ?? []) };
    const withPack = { startup: describeRuns(runs[packed] ?? []) };
    const auto = `baleen --pack auto N=${n}`;
    const withAuto = { startup: describeRuns(runs[auto] ?? []) };
    const caseOf = (variant: string): string => `${name}; N=${n}, Baleen ${variant}`;
    rows.push(
      {
        ...ratioRow(caseOf('one container per file'), at(plain), xargs, at(`xargs N=${n}`), { max: 1 }),
        ...onePerFile,
      },
      {
        ...ratioRow(caseOf('one container per file'), at(plain), parallel, at(`cucumber-js --parallel N=${n}`)),
        ...onePerFile,
      },
      {
        ...ratioRow(caseOf(`--pack ${packSeconds(n)}`), at(packed), parallel, at(`cucumber-js --parallel N=${n}`), {
          max: 1.1,
        }),
        ...withPack,
      },
      { ...ratioRow(caseOf(`--pack ${packSeconds(n)}`), at(packed), xargs, at(`xargs N=${n}`)), ...withPack },
      {
        ...ratioRow(caseOf('--pack auto'), at(auto), parallel, at(`cucumber-js --parallel N=${n}`), { max: 1.1 }),
        ...withAuto,
      },
      {
        ...ratioRow(
          caseOf(`--pack ${packSeconds(n)}`),
          at(packed),
          'cucumber-js serial, one container',
          at('cucumber-js serial, one container'),
        ),
        ...withPack,
      },
    );
  }
  const plannedPacks = CONCURRENCIES.flatMap((n) =>
    [`baleen --pack N=${n}`, `baleen --pack auto N=${n}`].map((key) => {
      const last = runs[key]?.at(-1)?.report.planned;
      return last === undefined
        ? `${key}: no plan reported`
        : `${key}: ${last.packs} packs in ${last.containers} containers (history: ${last.history.source}, ${last.history.known}/${last.history.total} files known)`;
    }),
  );
  return {
    rows,
    notes: [
      `${files.length} feature files, image ${project.image}; network none everywhere. One cucumber process on one file in its own container (start-up plus a short file): ${seconds(at('one container, one file'))}; cucumber-js serial over all files in one container: ${seconds(at('cucumber-js serial, one container'))}.`,
      `Baleen ran after one untimed run that recorded the timing history (concurrency 4): per file, start-up ${seconds(warmFigures.startupMs)} and run ${seconds(warmFigures.runMs)} (medians), ${seconds(work)} of scenario time in all.`,
      `--pack SECONDS is max(5, scenario time / (2·N) + one start-up), rounded up to 5 s (about 2·N packs) — ${CONCURRENCIES.map((n) => `${packSeconds(n)} s at N=${n}`).join(', ')}. \`--pack auto\` asks for about one pack per slot, balanced by the history. The Baleen variants keep separate timing files.`,
      `What the server made of --pack: ${plannedPacks.join('; ')}. With no history on the server, files are dealt round robin into 2 × N packs whatever --pack says; with history, packs are first-fit to about --pack (never more than a fair share of the run).`,
    ],
  };
}

/** A --pack of about 2·N packs, from a run of one container per file (room to balance; start-up paid 2·N times). */
function packFor(workMs: number, startupMs: number, slots: number): number {
  return Math.max(5, Math.ceil((workMs / (2 * slots) + startupMs) / 1000 / 5) * 5);
}

/** The file with the least scenario time in the warm-up: what one container costs when it is nearly all start-up. */
function shortestFile(warm: BaleenRun, files: readonly string[]): string {
  const timed = warm.report.files.filter((file) => file.runMs !== undefined);
  timed.sort((a, b) => (a.runMs ?? 0) - (b.runMs ?? 0));
  return timed[0]?.file ?? files[0] ?? 'features';
}
