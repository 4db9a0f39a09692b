import type { FileStatus, RunStatus } from '@baleen/protocol';
import type { Database, Statement } from 'better-sqlite3';
import { FlakyFilesQuery } from './flaky-files.js';
import { sqlList } from './sql-list.js';
import type {
  FileEstimate,
  FileHistoryEntry,
  FlakyFile,
  JsonObject,
  LastRun,
  LastRunFile,
  RunSummary,
  ScenarioHistoryEntry,
  ScenarioResultStatus,
  StoredFileAttempt,
  StoredScenario,
} from './history-records.js';
import { median } from './median.js';
import { outcomesByRun, RAN_TO_AN_END, worstStatus, type FinalAttemptRow } from './run-outcome.js';

/** How many of a file's or a scenario's latest timings an estimate is the median of. */
export const ESTIMATE_SAMPLES = 5;

/** Scenario statuses whose duration is the scenario's own (it ran all its steps or stopped at a failure). */
const TIMED_SCENARIO_STATUSES: ReadonlySet<ScenarioResultStatus> = new Set(['passed', 'failed']);

/** The questions the scheduler, the dashboard and `--last-failed` ask; read-only, prepared once. */
export class HistoryQueries {
  readonly #fileSamples: Statement<[string, string], { path: string; samples: string }>;
  readonly #fileId: Statement<[string, string], { id: number }>;
  readonly #finalAttemptsOfFile: Statement<[number], FinalAttemptRow & { runId: string; startedAt: number }>;
  readonly #scenarioTimings: Statement<[number], { line: number; durations: string }>;
  readonly #lastFinishedRun: Statement<[string], LastRunRow>;
  readonly #lastFinishedRunOfClient: Statement<[string, string], LastRunRow>;
  readonly #attemptStatusesOfRun: Statement<
    [number],
    { path: string; chunk: string; attempt: number; final: number; status: FileStatus }
  >;
  readonly #scenariosToRerun: Statement<[number], { path: string; line: number; name: string }>;
  readonly #recentRuns: Statement<[number], RunRow>;
  readonly #recentRunsOfSuite: Statement<[string, number], RunRow>;
  readonly #attemptsOfRun: Statement<[string], AttemptRow>;
  readonly #scenariosOfRun: Statement<[string], ScenarioRow>;
  readonly #scenariosOfRunFile: Statement<[string, string], ScenarioRow>;
  readonly #flakyFiles: FlakyFilesQuery;
  readonly #suites: Statement<[], { suite: string }>;
  readonly #scenarioResults: Statement<
    [number, number],
    { runId: string; startedAt: number; status: string; durationMs: number; attempt: number; name: string }
  >;

  constructor(db: Database) {
    // One statement for all the files: a statement per file costs more in crossing into SQLite than in SQLite.
    // Per file, its last runs whose every final attempt (one per chunk) ran to an end, each as [duration, start-up].
    this.#fileSamples = db.prepare(
      `SELECT f.path,
         (SELECT json_group_array(json_array(duration, startup, scenario_time)) FROM (
            SELECT SUM(duration_ms) AS duration, MAX(startup_ms) AS startup, SUM(run_ms) AS scenario_time
            FROM file_attempts WHERE file = f.id AND final = 1
            GROUP BY run HAVING SUM(status NOT IN ${sqlList(RAN_TO_AN_END)}) = 0
            ORDER BY run DESC LIMIT ${ESTIMATE_SAMPLES})) AS samples
       FROM json_each(?) AS wanted CROSS JOIN files f ON f.suite = ? AND f.path = wanted.value`,
    );
    this.#fileId = db.prepare('SELECT id FROM files WHERE suite = ? AND path = ?');
    // Newest run first; a split file's chunks come together, as outcomesByRun needs them.
    this.#finalAttemptsOfFile = db.prepare(
      `SELECT fa.run, r.run_id AS runId, r.started_at AS startedAt, fa.status, fa.attempt,
         fa.duration_ms AS durationMs
       FROM file_attempts fa JOIN runs r ON r.id = fa.run
       WHERE fa.file = ? AND fa.final = 1 ORDER BY fa.run DESC`,
    );
    // Per line (a renamed scenario keeps its line), the latest timings, cut to ESTIMATE_SAMPLES inside SQLite.
    this.#scenarioTimings = db.prepare(
      `SELECT line, json_group_array(durationMs) AS durations FROM (
         SELECT s.line, sr.duration_ms AS durationMs,
           ROW_NUMBER() OVER (PARTITION BY s.line ORDER BY sr.run DESC, sr.attempt DESC) AS latest
         FROM scenarios s JOIN scenario_results sr ON sr.scenario = s.id
         WHERE s.file = ? AND sr.status IN ${sqlList(TIMED_SCENARIO_STATUSES)})
       WHERE latest <= ${ESTIMATE_SAMPLES} GROUP BY line`,
    );
    // A run that recorded no file (its image failed to build, say) says nothing about which files failed.
    const lastFinished = (clientCondition: string): string =>
      `SELECT id, run_id AS runId, status, finished_at AS finishedAt FROM runs
       WHERE suite = ? ${clientCondition} AND finished_at IS NOT NULL AND status <> 'cancelled'
         AND EXISTS (SELECT 1 FROM file_attempts WHERE run = runs.id)
       ORDER BY finished_at DESC, id DESC LIMIT 1`;
    this.#lastFinishedRun = db.prepare(lastFinished(''));
    // A shared server answers a tenant about its own runs only (`client` is the tenant).
    this.#lastFinishedRunOfClient = db.prepare(lastFinished('AND client = ?'));
    this.#attemptStatusesOfRun = db.prepare(
      `SELECT f.path, fa.chunk, fa.attempt, fa.final, fa.status
       FROM file_attempts fa JOIN files f ON f.id = fa.file WHERE fa.run = ?
       ORDER BY f.path, fa.chunk, fa.attempt`,
    );
    // Each scenario's last attempt in the run (with MAX(), SQLite takes the bare columns from the row holding
    // it), kept when it needs another look: anything but a pass, or a skip (a rerun would skip it again).
    this.#scenariosToRerun = db.prepare(
      `SELECT f.path, s.line, s.name
       FROM (SELECT scenario, status, MAX(attempt) FROM scenario_results WHERE run = ? GROUP BY scenario) AS latest
         JOIN scenarios s ON s.id = latest.scenario JOIN files f ON f.id = s.file
       WHERE latest.status NOT IN ('passed', 'skipped')
       ORDER BY f.path, s.line, s.name`,
    );
    const runColumns = `run_id AS runId, suite, client, image, file_count AS fileCount, status,
      started_at AS startedAt, finished_at AS finishedAt, wall_time_ms AS wallTimeMs, totals`;
    this.#recentRuns = db.prepare(`SELECT ${runColumns} FROM runs ORDER BY id DESC LIMIT ?`);
    this.#recentRunsOfSuite = db.prepare(`SELECT ${runColumns} FROM runs WHERE suite = ? ORDER BY id DESC LIMIT ?`);
    this.#attemptsOfRun = db.prepare(
      `SELECT r.run_id AS runId, f.path AS file, fa.attempt, fa.final, fa.status, fa.exit_code AS exitCode,
         fa.duration_ms AS durationMs, fa.startup_ms AS startupMs, fa.run_ms AS runMs, fa.container_id AS containerId,
         fa.node, fa.error_code AS errorCode, fa.error_message AS errorMessage, fa.scenarios, fa.pack, fa.chunk
       FROM runs r JOIN file_attempts fa ON fa.run = r.id JOIN files f ON f.id = fa.file
       WHERE r.run_id = ? ORDER BY f.path, fa.chunk, fa.attempt`,
    );
    const scenarioQuery = (fileCondition: string): string =>
      `SELECT r.run_id AS runId, f.path AS file, s.line, s.name, sr.attempt, sr.status, sr.duration_ms AS durationMs,
         sr.error_message AS errorMessage
       FROM runs r JOIN scenario_results sr ON sr.run = r.id JOIN scenarios s ON s.id = sr.scenario
         JOIN files f ON f.id = s.file
       WHERE r.run_id = ? ${fileCondition} ORDER BY f.path, s.line, s.name, sr.attempt`;
    this.#scenariosOfRun = db.prepare(scenarioQuery(''));
    this.#scenariosOfRunFile = db.prepare(scenarioQuery('AND f.path = ?'));
    this.#flakyFiles = new FlakyFilesQuery(db);
    this.#suites = db.prepare('SELECT DISTINCT suite FROM runs ORDER BY suite');
    // A scenario's every result (each attempt), newest run first; scenarioHistory keeps each run's last attempt.
    this.#scenarioResults = db.prepare(
      `SELECT r.run_id AS runId, r.started_at AS startedAt, sr.status, sr.duration_ms AS durationMs, sr.attempt,
         s.name
       FROM scenarios s JOIN scenario_results sr ON sr.scenario = s.id JOIN runs r ON r.id = sr.run
       WHERE s.file = ? AND s.line = ? ORDER BY sr.run DESC, sr.attempt DESC`,
    );
  }

  fileEstimates(suite: string, files: readonly string[]): Map<string, FileEstimate> {
    const estimates = new Map<string, FileEstimate>();
    for (const { path, samples } of this.#fileSamples.all(JSON.stringify(files), suite)) {
      const timings = JSON.parse(samples) as [durationMs: number, startupMs: number | null, runMs: number | null][];
      const durationMs = median(timings.map(([duration]) => duration));
      if (durationMs === undefined) continue;
      const startups = timings.flatMap(([, startup]) => (startup === null ? [] : [startup]));
      const runMs = median(timings.flatMap(([, , run]) => (run === null ? [] : [run])));
      estimates.set(path, {
        durationMs,
        startupMs: median(startups),
        ...(runMs === undefined ? {} : { runMs }),
        samples: timings.length,
      });
    }
    return estimates;
  }

  scenarioEstimates(suite: string, file: string): Map<number, number> {
    const id = this.#fileId.get(suite, file)?.id;
    if (id === undefined) return new Map();
    return new Map(
      this.#scenarioTimings
        .all(id)
        .map(({ line, durations }) => [line, median(JSON.parse(durations) as number[]) ?? 0]),
    );
  }

  lastRun(suite: string, client?: string): LastRun | undefined {
    const run =
      client === undefined ? this.#lastFinishedRun.get(suite) : this.#lastFinishedRunOfClient.get(suite, client);
    if (run === undefined) return undefined;
    // Per file and chunk, the final attempt's status (or the last attempt's, if none was marked final).
    const chunkStatuses = new Map<string, Map<string, { final: boolean; status: FileStatus }>>();
    for (const row of this.#attemptStatusesOfRun.iterate(run.id)) {
      const chunks = chunkStatuses.get(row.path) ?? new Map<string, { final: boolean; status: FileStatus }>();
      if (chunks.get(row.chunk)?.final !== true) chunks.set(row.chunk, { final: row.final === 1, status: row.status });
      chunkStatuses.set(row.path, chunks);
    }
    const files = new Map<string, LastRunFile>();
    for (const [file, chunks] of chunkStatuses) {
      const status = worstStatus([...chunks.values()].map((chunk) => chunk.status));
      files.set(file, { file, status, failedScenarios: [] });
    }
    for (const { path, line, name } of this.#scenariosToRerun.iterate(run.id)) {
      files.get(path)?.failedScenarios.push({ line, name });
    }
    return { runId: run.runId, status: run.status, finishedAt: new Date(run.finishedAt), files: [...files.values()] };
  }

  recentRuns(options: { suite?: string | undefined; limit: number }): RunSummary[] {
    const limit = Math.max(0, Math.trunc(options.limit));
    const rows =
      options.suite === undefined ? this.#recentRuns.all(limit) : this.#recentRunsOfSuite.all(options.suite, limit);
    return rows.map((row) => ({
      ...row,
      startedAt: new Date(row.startedAt),
      finishedAt: row.finishedAt === null ? null : new Date(row.finishedAt),
      totals: parseJson(row.totals),
    }));
  }

  runFiles(runId: string): StoredFileAttempt[] {
    return this.#attemptsOfRun.all(runId).map((row) => ({
      ...row,
      final: row.final === 1,
      scenarios: parseJson(row.scenarios),
      chunk: row.chunk === '' ? null : row.chunk,
    }));
  }

  runScenarios(runId: string, file?: string): StoredScenario[] {
    return file === undefined ? this.#scenariosOfRun.all(runId) : this.#scenariosOfRunFile.all(runId, file);
  }

  fileHistory(suite: string, file: string, limit: number): FileHistoryEntry[] {
    const id = this.#fileId.get(suite, file)?.id;
    if (id === undefined || limit <= 0) return [];
    // At most one row per chunk of each of the suite's 500 kept runs: reading them all is cheap.
    const rows = this.#finalAttemptsOfFile.all(id);
    const runs = new Map(rows.map((row) => [row.run, row]));
    const entries: FileHistoryEntry[] = [];
    for (const outcome of outcomesByRun(rows)) {
      const run = runs.get(outcome.run);
      if (run === undefined) continue;
      const { status, durationMs, attempts } = outcome;
      entries.push({ runId: run.runId, startedAt: new Date(run.startedAt), status, durationMs, attempts });
      if (entries.length >= limit) break;
    }
    return entries;
  }

  flakyFiles(suite: string, options: { runs: number }): FlakyFile[] {
    return this.#flakyFiles.run(suite, options.runs);
  }

  suites(): string[] {
    return this.#suites.all().map((row) => row.suite);
  }

  scenarioHistory(suite: string, file: string, line: number, limit: number): ScenarioHistoryEntry[] {
    const id = this.#fileId.get(suite, file)?.id;
    if (id === undefined || limit <= 0) return [];
    const entries: ScenarioHistoryEntry[] = [];
    for (const row of this.#scenarioResults.iterate(id, line)) {
      const last = entries.at(-1);
      // Rows come newest attempt first within a run: the first row of a run is its last attempt.
      if (last?.runId === row.runId) {
        last.attempts += 1;
        continue;
      }
      if (entries.length >= limit) break;
      entries.push({
        runId: row.runId,
        startedAt: new Date(row.startedAt),
        name: row.name,
        status: row.status as ScenarioHistoryEntry['status'],
        durationMs: row.durationMs,
        attempts: 1,
      });
    }
    return entries;
  }
}

interface LastRunRow {
  id: number;
  runId: string;
  status: RunStatus;
  finishedAt: number;
}

interface RunRow {
  runId: string;
  suite: string;
  client: string;
  image: string;
  fileCount: number;
  status: RunStatus | null;
  startedAt: number;
  finishedAt: number | null;
  wallTimeMs: number | null;
  totals: string | null;
}

type AttemptRow = Omit<StoredFileAttempt, 'final' | 'scenarios' | 'chunk'> & {
  final: number;
  scenarios: string | null;
  chunk: string;
};

type ScenarioRow = StoredScenario;

/** The JSON columns hold what JSON.stringify wrote from a JsonObject. */
function parseJson(text: string | null): JsonObject | null {
  return text === null ? null : (JSON.parse(text) as JsonObject);
}
