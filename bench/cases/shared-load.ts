import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { median, seconds, timeProcess } from '../lib/measure.js';
import { BALEEN_BIN, BENCH_IMAGE, PROJECT_DIR } from '../lib/project.js';
import { goalRow, type CaseResult } from '../lib/results.js';
import { openDashboard } from '../lib/dashboard-browser.js';
import { metric, startServer } from '../lib/server-process.js';
import type { BenchContext } from './context.js';

const CLIENTS = 10;
const CAPACITY = 8;

interface Report {
  totals: Record<string, number>;
  files: { status: string }[];
}

/** Case 4: ten clients at once on one shared server of capacity 8 — correctness, memory, responsiveness. */
export function sharedLoad(ctx: BenchContext): Promise<CaseResult> {
  return sharedLoadCase(ctx, false);
}

/**
 * Case 4 with the dashboard open in Chromium all along (the Now page and the first run's page, on their live
 * event streams): the server's event loop must stay as responsive (p99 < 50 ms) while it feeds them.
 */
export function sharedLoadDashboard(ctx: BenchContext): Promise<CaseResult> {
  return sharedLoadCase(ctx, true);
}

async function sharedLoadCase(ctx: BenchContext, dashboard: boolean): Promise<CaseResult> {
  const peaks: number[] = [];
  const delays: number[] = [];
  const firstStarts: number[] = [];
  const walls: number[] = [];
  let correct = true;
  const problems: string[] = [];
  for (let rep = 0; rep < ctx.reps; rep++) {
    const server = await startServer(['--capacity', String(CAPACITY)]);
    const browser = dashboard ? await openDashboard(server.http) : undefined;
    try {
      await server.metrics(); // resets the event-loop histogram: the p99 below covers the load only
      const dir = await mkdtemp(path.join(tmpdir(), 'baleen-bench-load-'));
      const started = performance.now();
      const results = await Promise.all(
        Array.from({ length: CLIENTS }, async (_, i) => {
          const report = path.join(dir, `client-${i}.json`);
          const result = await timeProcess(
            'node',
            [
              BALEEN_BIN,
              'cucumber',
              '--image',
              BENCH_IMAGE,
              '--files',
              'bench-features/load',
              '--server',
              server.url,
              '--json',
              report,
            ],
            { cwd: PROJECT_DIR },
          );
          const parsed = JSON.parse(await readFile(report, 'utf8').catch(() => '{"totals":{},"files":[]}')) as Report;
          return { code: result.code, parsed, stderr: result.stderr };
        }),
      );
      walls.push(performance.now() - started);
      for (const [i, { code, parsed, stderr }] of results.entries()) {
        const passed = parsed.files.filter((file) => file.status === 'passed').length;
        if (code !== 0 || passed !== 20) {
          correct = false;
          problems.push(`client ${i}: exit ${String(code)}, ${passed}/20 files passed ${stderr.slice(-300)}`);
        }
      }
      const text = await server.metrics();
      delays.push(metric(text, 'nodejs_eventloop_lag_p99_seconds') * 1000);
      firstStarts.push(
        (metric(text, 'baleen_run_first_container_seconds_sum') /
          metric(text, 'baleen_run_first_container_seconds_count')) *
          1000,
      );
      peaks.push((await server.memory()).peak);
      if (browser !== undefined && browser.pagesOpened() < 2) {
        correct = false;
        problems.push('the dashboard never opened a run page');
      }
      ctx.log(
        `  rep ${rep + 1}/${ctx.reps}: ${seconds(walls.at(-1) ?? 0)}, peak RSS ${peaks.at(-1)?.toFixed(1)} MiB, ` +
          `event-loop p99 ${delays.at(-1)?.toFixed(1)} ms, run → first container ${firstStarts.at(-1)?.toFixed(0)} ms`,
      );
    } finally {
      await browser?.close();
      await server.stop();
    }
  }
  const name =
    `4${dashboard ? 'b' : ''}. shared server: ${CLIENTS} clients × 20 files, capacity ${CAPACITY}` +
    (dashboard ? ', dashboard open in Chromium' : '');
  const rss = median(peaks);
  return {
    rows: [
      goalRow(name, 'server peak RSS (VmHWM)', rss * 1.048576, 'MB', 200),
      goalRow(name, 'event-loop delay p99 (during the load)', median(delays), 'ms', 50),
    ],
    notes: [
      `All results correct: ${correct ? `yes (${CLIENTS} clients × 20 files passed, every repetition)` : `NO — ${problems.join('; ')}`}.`,
      `Wall time for all ${CLIENTS} runs: ${seconds(median(walls))}; mean time from a run being accepted to its first container running: ${median(firstStarts).toFixed(0)} ms (server metric baleen_run_first_container_seconds).`,
      'Event-loop delay from prom-client (monitorEventLoopDelay, 10 ms resolution), reset just before the clients start.',
      ...(dashboard
        ? [
            'The dashboard was open in headless Chromium throughout: the Now page and the first run’s page, each on its server-sent event stream.',
          ]
        : []),
    ],
  };
}
