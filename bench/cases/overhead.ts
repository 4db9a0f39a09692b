import path from 'node:path';
import { interleave, median, timeOk } from '../lib/measure.js';
import { BENCH_DIR, BENCH_IMAGE } from '../lib/project.js';
import { timeBaleen } from '../lib/baleen-cli.js';
import { ratioRow, type CaseResult } from '../lib/results.js';
import type { BenchContext } from './context.js';

const FILES = Array.from({ length: 40 }, (_, i) => `bench-features/noop/noop-${String(i + 1).padStart(2, '0')}.txt`);
const CONCURRENCY = 8;

/** Case 1: 40 files whose command does nothing, 8 at once — what Baleen adds to the engine's own cost. */
export async function overhead(ctx: BenchContext): Promise<CaseResult> {
  const baleen = () =>
    timeBaleen('baleen run', 'run', [
      ...['--files', 'bench-features/noop/*.txt'],
      ...['--concurrency', String(CONCURRENCY), '--', 'true', '{file}'],
    ]);
  const bareLoop = () =>
    timeOk('bare loop', 'node', [
      path.join(BENCH_DIR, 'alternatives/bare-loop.mjs'),
      ...[BENCH_IMAGE, String(CONCURRENCY), 'bridge', '["true"]', ...FILES],
    ]);
  const xargs = () =>
    timeOk('xargs', 'sh', [
      '-c',
      `printf '%s\\n' "$@" | xargs -P ${CONCURRENCY} -I{} docker run --rm ${BENCH_IMAGE} true {}`,
      'sh',
      ...FILES,
    ]);
  // The engine's pace varies by ±10% from one run to the next here: more repetitions for the closest goal.
  const reps = Math.max(ctx.reps, 7);
  const samples = await interleave(
    reps,
    { baleen, 'bare dockerode loop': bareLoop, 'xargs -P 8 docker run --rm': xargs },
    ctx.log,
  );
  const b = median(samples['baleen'] ?? []);
  return {
    rows: [
      ratioRow(
        '1. overhead: 40 no-op files, concurrency 8',
        b,
        'bare dockerode loop',
        median(samples['bare dockerode loop'] ?? []),
        { max: 1.1 },
      ),
      ratioRow(
        '1. overhead: 40 no-op files, concurrency 8',
        b,
        'xargs -P 8 docker run --rm',
        median(samples['xargs -P 8 docker run --rm'] ?? []),
      ),
    ],
    notes: [
      'Every variant is a whole process, started and timed the same way (Node start-up included for Baleen and the loop).',
      'All use the engine’s default bridge network, as `baleen run` with its embedded server does.',
      `${reps} repetitions of each (at least 7: the same command varies by ±10% between runs on this machine).`,
    ],
  };
}
