import { setTimeout as sleep } from 'node:timers/promises';
import { interleave, median, timeOk } from '../lib/measure.js';
import { BENCH_IMAGE } from '../lib/project.js';
import { timeBaleen } from '../lib/baleen-cli.js';
import { goalRow, ratioRow, type CaseResult } from '../lib/results.js';
import { startServer, type ServerProcess } from '../lib/server-process.js';
import type { BenchContext } from './context.js';

const GIB = 1024 ** 3;
/** 1 GiB of text ('x' × 64 KiB chunks), written with back-pressure. */
const TEXT_FLOOD = [
  'node',
  '-e',
  'const b = Buffer.alloc(65536, 120); let n = 0; const w = () => { while (n < 16384) { n++; ' +
    'if (!process.stdout.write(b)) return process.stdout.once("drain", w); } }; w()',
];
const NUL_FLOOD = ['head', '-c', String(GIB), '/dev/zero'];

/** Runs the flood through the server, sampling its RSS; returns the wall time and the growth over the baseline. */
async function floodThrough(server: ServerProcess, command: string[], growths: number[]): Promise<number> {
  const baseline = (await server.memory()).rss;
  let peak = baseline;
  const state = { done: false };
  const sampler = (async () => {
    while (!state.done) {
      peak = Math.max(peak, (await server.memory()).rss);
      await sleep(100);
    }
  })();
  try {
    return await timeBaleen('baleen run (flood)', 'run', [
      ...['--files', 'bench-features/flood.txt', '--server', server.url],
      ...['--', ...command, '{file}'],
    ]);
  } finally {
    state.done = true;
    await sampler;
    growths.push(peak - baseline);
  }
}

/** Case 5: one file writing 1 GiB to stdout — server memory growth and throughput against `docker run`. */
export async function outputFlood(ctx: BenchContext): Promise<CaseResult> {
  const server = await startServer([]);
  const textGrowth: number[] = [];
  const nulGrowth: number[] = [];
  try {
    // Warm-up: the baseline then includes what any run costs (code loaded, sockets, buffers).
    await floodThrough(server, ['head', '-c', '10000000', '/dev/zero'], []);
    const samples = await interleave(
      ctx.reps,
      {
        'baleen (text)': () => floodThrough(server, TEXT_FLOOD, textGrowth),
        'docker run > /dev/null (text)': () =>
          timeOk('docker run', 'docker', ['run', '--rm', '--network', 'none', BENCH_IMAGE, ...TEXT_FLOOD]),
        'baleen (NUL bytes)': () => floodThrough(server, NUL_FLOOD, nulGrowth),
      },
      ctx.log,
    );
    const text = median(samples['baleen (text)'] ?? []);
    const name = '5. output flood: 1 GiB to stdout';
    return {
      rows: [
        ratioRow(name, text, 'docker run, output to /dev/null', median(samples['docker run > /dev/null (text)'] ?? [])),
        goalRow(name, 'server RSS growth (text)', median(textGrowth), 'MiB', 64),
        goalRow(name, 'server RSS growth (NUL bytes)', median(nulGrowth), 'MiB', 64),
      ],
      notes: [
        `Throughput through Baleen (container → server → kept tail → client): ${(GIB / 1024 ** 2 / (text / 1000)).toFixed(0)} MiB/s of text.`,
        'RSS sampled every 100 ms from /proc against the server’s RSS just before each flood, after a warm-up run.',
      ],
    };
  } finally {
    await server.stop();
  }
}
