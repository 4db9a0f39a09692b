import type { RunTotals, StatusCounts } from '@baleen/protocol';
import type { HistoryStore } from '../history/history-store.js';
import type { RunSummary } from '../history/history-records.js';
import type {
  FileView,
  HistoryRunView,
  RunDetailView,
  ScenarioView,
  SuiteHistoryView,
  TrendView,
} from './dashboard-api.js';
import type { Viewer } from './dashboard-hub.js';

/** Runs listed per suite, and the runs a trend and a flaky rate are taken over. */
export const HISTORY_RUNS_LISTED = 50;
export const TREND_RUNS = 20;
/** Runs read to find a tenant's own among every tenant's. */
const RUNS_SCANNED = 500;

/**
 * The dashboard's reading of the suite history. A tenant sees its own runs and the suites it ran; the trends and
 * flaky rates of a suite are over every run of that suite, as the scheduler's order is (docs/security.md).
 */
export class HistoryViews {
  constructor(private readonly store: HistoryStore) {}

  suite(viewer: Viewer, suite: string | undefined): SuiteHistoryView {
    const mine = this.#ownRuns(viewer, undefined);
    const suites = [...new Set(mine.map((run) => run.suite))].sort();
    const chosen = suite !== undefined && suites.includes(suite) ? suite : (suites[0] ?? null);
    if (chosen === null) return { suites, suite: null, runs: [], flaky: [] };
    const runs = this.#ownRuns(viewer, chosen).slice(0, HISTORY_RUNS_LISTED).map(runView);
    const flaky = this.store.flakyFiles(chosen, { runs: TREND_RUNS });
    return { suites, suite: chosen, runs, flaky };
  }

  /** A past run's page, read back from the store; undefined when it is not the viewer's or not there. */
  run(viewer: Viewer, runId: string): RunDetailView | undefined {
    const summary = this.#ownRuns(viewer, undefined).find((run) => run.runId === runId);
    if (summary === undefined) return undefined;
    const attempts = this.store.runFiles(runId);
    const byFile = new Map<string, FileView>();
    for (const attempt of attempts) {
      if (!attempt.final) continue;
      const known = byFile.get(attempt.file);
      const counts = attempt.scenarios as StatusCounts | null;
      if (known === undefined) {
        byFile.set(attempt.file, {
          index: byFile.size,
          file: attempt.file,
          state: attempt.status,
          attempt: attempt.attempt,
          containerId: attempt.containerId,
          node: attempt.node,
          durationMs: attempt.durationMs,
          startedAt: null,
          scenarios: counts,
          error: attempt.errorMessage,
        });
        continue;
      }
      // A split file's chunks: one row, its time the sum, its status the worst.
      known.durationMs = (known.durationMs ?? 0) + attempt.durationMs;
      if (attempt.status !== 'passed') known.state = attempt.status;
      known.error ??= attempt.errorMessage;
    }
    const files = [...byFile.values()];
    const indexOf = new Map(files.map((file) => [file.file, file.index]));
    const scenarios: ScenarioView[] = this.store.runScenarios(runId).map((scenario) => ({
      fileIndex: indexOf.get(scenario.file) ?? -1,
      file: scenario.file,
      attempt: scenario.attempt,
      name: scenario.name,
      uri: scenario.file,
      line: scenario.line,
      status: scenario.status === 'unfinished' ? 'unknown' : scenario.status,
      durationMs: scenario.durationMs,
      errorMessage: scenario.errorMessage,
    }));
    let done = 0;
    for (const file of files) if (file.state !== 'queued') done += 1;
    return {
      summary: {
        ...runView(summary),
        image: summary.image,
        progress: {
          done,
          running: 0,
          starting: 0,
          queued: 0,
          scenariosPassed: scenarios.filter((scenario) => scenario.status === 'passed').length,
          scenariosFailed: scenarios.filter((scenario) => scenario.status === 'failed').length,
        },
        queuePosition: 0,
        own: true,
      },
      files,
      scenarios,
      scenariosDropped: 0,
      live: false,
    };
  }

  file(viewer: Viewer, suite: string, file: string): TrendView | undefined {
    if (!this.#ownRuns(viewer, suite).length) return undefined;
    const entries = this.store.fileHistory(suite, file, TREND_RUNS).map((entry) => ({
      runId: entry.runId,
      startedAt: entry.startedAt.getTime(),
      status: entry.status,
      durationMs: entry.durationMs,
      attempts: entry.attempts,
    }));
    return { suite, file, line: null, name: null, entries, flakyRate: flakyRate(entries) };
  }

  scenario(viewer: Viewer, suite: string, file: string, line: number): TrendView | undefined {
    if (!this.#ownRuns(viewer, suite).length) return undefined;
    const history = this.store.scenarioHistory(suite, file, line, TREND_RUNS);
    const entries = history.map((entry) => ({
      runId: entry.runId,
      startedAt: entry.startedAt.getTime(),
      status: entry.status,
      durationMs: entry.durationMs,
      attempts: entry.attempts,
    }));
    return { suite, file, line, name: history[0]?.name ?? null, entries, flakyRate: flakyRate(entries) };
  }

  #ownRuns(viewer: Viewer, suite: string | undefined): RunSummary[] {
    const runs = this.store.recentRuns({ suite, limit: RUNS_SCANNED });
    return viewer.tenancy ? runs.filter((run) => run.client === viewer.tenant) : runs;
  }
}

function runView(run: RunSummary): HistoryRunView & { image: string } {
  return {
    runId: run.runId,
    suite: run.suite,
    client: run.client,
    image: run.image,
    status: run.status,
    startedAt: run.startedAt.getTime(),
    wallTimeMs: run.wallTimeMs,
    fileCount: run.fileCount,
    totals: run.totals as RunTotals | null,
  };
}

/**
 * The share of runs (newest first) that were flaky: passed only on a retry, or whose outcome differs from the run
 * before it — the same reading as the store's flakyFiles, for one file or one scenario.
 */
export function flakyRate(entries: readonly { status: string; attempts: number }[]): number {
  if (entries.length === 0) return 0;
  const passed = entries.map((entry) => entry.status === 'passed');
  let flaky = 0;
  entries.forEach((entry, index) => {
    const retried = passed[index] === true && entry.attempts > 1;
    const before = passed[index + 1];
    const flipped = before !== undefined && before !== passed[index];
    if (retried || flipped) flaky += 1;
  });
  return flaky / entries.length;
}
