import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { median, seconds, timeProcess } from './measure.js';
import { BALEEN_BIN } from './project.js';

/** What a case reads of Baleen's `--json` report. */
export interface BaleenReport {
  wallTimeMs: number;
  planned?: {
    order: string;
    history: { source: string; known: number; total: number };
    containers: number;
    packs: number;
    splits: { file: string; parts: number }[];
  };
  files: {
    file: string;
    status: string;
    durationMs?: number;
    startupMs?: number;
    runMs?: number;
    pack?: { files: number };
    chunks?: number;
  }[];
}

/** One timed Baleen run: its wall time, its report, and the files in the order their containers started. */
export interface BaleenRun {
  ms: number;
  report: BaleenReport;
  started: string[];
}

// The plain live view (stdout is not a terminal here) prints `▶ started FILE ...` as each container starts.
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;
const STARTED = /^▶ started (\S+)/;

/**
 * Runs `baleen cucumber` to its end with a `--json` report and returns both. A non-zero exit fails the benchmark:
 * no figure from a broken run.
 */
export async function runBaleen(label: string, image: string, args: string[], cwd: string): Promise<BaleenRun> {
  const dir = await mkdtemp(path.join(tmpdir(), 'baleen-bench-run-'));
  const json = path.join(dir, 'report.json');
  try {
    const result = await timeProcess('node', [BALEEN_BIN, 'cucumber', '--image', image, ...args, '--json', json], {
      cwd,
      keepChars: 1_000_000,
    });
    if (result.code !== 0) {
      throw new Error(
        `${label} exited ${String(result.code)}:\n${result.stdout.slice(-3000)}\n${result.stderr.slice(-3000)}`,
      );
    }
    const report = JSON.parse(await readFile(json, 'utf8')) as BaleenReport;
    const started: string[] = [];
    for (const line of result.stdout.replace(ANSI, '').split('\n')) {
      const file = STARTED.exec(line)?.[1];
      if (file !== undefined && !started.includes(file)) started.push(file);
    }
    return { ms: result.ms, report, started };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Medians over a run's files of what `--json` says of their start-up (container start to testRunStarted) and run. */
export function startupFigures(report: BaleenReport): { startupMs: number; runMs: number; containers: number } {
  const startups = report.files.flatMap((file) => (file.startupMs === undefined ? [] : [file.startupMs]));
  const runs = report.files.flatMap((file) => (file.runMs === undefined ? [] : [file.runMs]));
  return {
    startupMs: median(startups),
    runMs: median(runs),
    containers: report.planned?.containers ?? report.files.length,
  };
}

/** One line of figures for the log and for a RESULTS row: medians over the runs of each run's medians. */
export function describeRuns(runs: readonly BaleenRun[]): string {
  const figures = runs.map((run) => startupFigures(run.report));
  const startup = median(figures.map((f) => f.startupMs));
  const run = median(figures.map((f) => f.runMs));
  const containers = median(figures.map((f) => f.containers));
  if (Number.isNaN(startup)) return `— (${containers} containers)`;
  return `${seconds(startup)} · ${seconds(run)} (${containers} containers)`;
}
