import { assertNever } from '@baleen/protocol';
import type { Database, Statement } from 'better-sqlite3';
import type { FileAttemptRecord, RunStartedRecord, ScenarioRecord } from './history-records.js';
import type { PendingWrite } from './pending-write.js';
import { Retention } from './retention.js';

/** Error messages are cut to this many characters: enough to recognise a failure, bounded per row. */
export const MAX_ERROR_MESSAGE_CHARS = 4000;

/** What a flush could not write although the database took the rest. */
export interface FlushOutcome {
  /** Runs that records named but that were never recorded as started (or were pruned since): dropped. */
  unknownRuns: string[];
}

interface RunRef {
  id: number;
  suite: string;
}

/** Writes batches of records, each batch in one transaction. */
export class HistoryWriter {
  readonly #db: Database;
  readonly #retention: Retention;
  readonly #insertRun: Statement<[RunRow]>;
  readonly #findRun: Statement<[string], RunRef>;
  readonly #findFile: Statement<[string, string], { id: number }>;
  readonly #insertFile: Statement<[string, string], { id: number }>;
  readonly #upsertAttempt: Statement<[AttemptRow]>;
  readonly #unmarkOtherFinals: Statement<[number, number, string, number]>;
  readonly #findScenario: Statement<[number, number, string], { id: number }>;
  readonly #insertScenario: Statement<[number, number, string], { id: number }>;
  readonly #upsertScenarioResult: Statement<[ScenarioResultRow]>;
  readonly #finishRun: Statement<[FinishRow]>;

  constructor(db: Database, keepRunsPerSuite: number) {
    this.#db = db;
    this.#retention = new Retention(db, keepRunsPerSuite);
    this.#insertRun = db.prepare(
      `INSERT INTO runs (run_id, suite, client, image, file_count, started_at)
       VALUES (@runId, @suite, @client, @image, @fileCount, @startedAt) ON CONFLICT (run_id) DO NOTHING`,
    );
    this.#findRun = db.prepare('SELECT id, suite FROM runs WHERE run_id = ?');
    this.#findFile = db.prepare('SELECT id FROM files WHERE suite = ? AND path = ?');
    this.#insertFile = db.prepare('INSERT INTO files (suite, path) VALUES (?, ?) RETURNING id');
    // The same attempt recorded twice keeps what was said last.
    this.#upsertAttempt = db.prepare(
      `INSERT INTO file_attempts (run, file, chunk, attempt, final, status, exit_code, duration_ms, startup_ms, run_ms,
         container_id, node, error_code, error_message, scenarios, pack)
       VALUES (@run, @file, @chunk, @attempt, @final, @status, @exitCode, @durationMs, @startupMs, @runMs,
         @containerId, @node, @errorCode, @errorMessage, @scenarios, @pack)
       ON CONFLICT (run, file, chunk, attempt) DO UPDATE SET final = excluded.final, status = excluded.status,
         exit_code = excluded.exit_code, duration_ms = excluded.duration_ms, startup_ms = excluded.startup_ms,
         run_ms = excluded.run_ms, container_id = excluded.container_id, node = excluded.node,
         error_code = excluded.error_code, error_message = excluded.error_message, scenarios = excluded.scenarios,
         pack = excluded.pack`,
    );
    // One attempt counts per file (per chunk) and run: the one marked final last.
    this.#unmarkOtherFinals = db.prepare(
      'UPDATE file_attempts SET final = 0 WHERE run = ? AND file = ? AND chunk = ? AND attempt <> ? AND final = 1',
    );
    this.#findScenario = db.prepare('SELECT id FROM scenarios WHERE file = ? AND line = ? AND name = ?');
    this.#insertScenario = db.prepare('INSERT INTO scenarios (file, line, name) VALUES (?, ?, ?) RETURNING id');
    this.#upsertScenarioResult = db.prepare(
      `INSERT INTO scenario_results (run, scenario, attempt, status, duration_ms, error_message)
       VALUES (@run, @scenario, @attempt, @status, @durationMs, @errorMessage)
       ON CONFLICT (run, scenario, attempt) DO UPDATE SET status = excluded.status,
         duration_ms = excluded.duration_ms, error_message = excluded.error_message`,
    );
    this.#finishRun = db.prepare(
      `UPDATE runs SET finished_at = @finishedAt, status = @status, wall_time_ms = @wallTimeMs, totals = @totals
       WHERE id = @id`,
    );
  }

  /** Writes the batch in one transaction, or nothing of it (and throws). */
  write(batch: readonly PendingWrite[]): FlushOutcome {
    return this.#db
      .transaction(() => {
        // Looked up once per batch. Not kept across batches: another process's retention may delete rows between.
        const runs = new Map<string, RunRef | undefined>();
        const files = new Map<string, number>();
        const unknownRuns = new Set<string>();
        const findRun = (runId: string): RunRef | undefined => {
          if (!runs.has(runId)) runs.set(runId, this.#findRun.get(runId));
          const run = runs.get(runId);
          if (run === undefined) unknownRuns.add(runId);
          return run;
        };
        const fileId = (suite: string, path: string): number => {
          const key = `${suite}\0${path}`;
          let id = files.get(key);
          if (id === undefined) {
            id = inserted(this.#findFile.get(suite, path) ?? this.#insertFile.get(suite, path)).id;
            files.set(key, id);
          }
          return id;
        };
        // Retention runs once per suite, after the whole batch.
        const finishedSuites = new Set<string>();

        for (const write of batch) {
          switch (write.type) {
            case 'run-started':
              this.#insertRun.run(runRow(write.record));
              runs.delete(write.record.runId); // A record that came before its run's start looked in vain.
              break;
            case 'file-attempt': {
              const run = findRun(write.record.runId);
              if (run !== undefined) this.#writeAttempt(run.id, fileId(run.suite, write.record.file), write.record);
              break;
            }
            case 'scenario': {
              const run = findRun(write.record.runId);
              if (run !== undefined) this.#writeScenario(run.id, fileId(run.suite, write.record.file), write.record);
              break;
            }
            case 'run-finished': {
              const { record } = write;
              const run = findRun(record.runId);
              if (run === undefined) break;
              this.#finishRun.run({
                id: run.id,
                finishedAt: time(record.finishedAt),
                status: record.status,
                wallTimeMs: whole(record.wallTimeMs),
                totals: JSON.stringify(record.totals),
              });
              finishedSuites.add(run.suite);
              break;
            }
            default:
              assertNever(write);
          }
        }
        for (const suite of finishedSuites) this.#retention.prune(suite);
        return { unknownRuns: [...unknownRuns] };
      })
      .immediate(); // Takes the write lock at BEGIN, where busy_timeout waits for it, not half-way through.
  }

  #writeAttempt(run: number, file: number, record: FileAttemptRecord): void {
    const chunk = record.chunk ?? '';
    this.#upsertAttempt.run({
      run,
      file,
      chunk,
      attempt: whole(record.attempt),
      final: record.final ? 1 : 0,
      status: record.status,
      exitCode: record.exitCode,
      durationMs: whole(record.durationMs),
      startupMs: wholeOrNull(record.startupMs),
      runMs: wholeOrNull(record.runMs),
      containerId: record.containerId ?? null,
      node: record.node ?? null,
      errorCode: record.errorCode ?? null,
      errorMessage: cut(record.errorMessage),
      scenarios: record.scenarios == null ? null : JSON.stringify(record.scenarios),
      pack: record.pack ?? null,
    });
    if (record.final) this.#unmarkOtherFinals.run(run, file, chunk, whole(record.attempt));
  }

  #writeScenario(run: number, file: number, record: ScenarioRecord): void {
    const scenario = inserted(
      this.#findScenario.get(file, whole(record.line), record.name) ??
        this.#insertScenario.get(file, whole(record.line), record.name),
    );
    this.#upsertScenarioResult.run({
      run,
      scenario: scenario.id,
      attempt: whole(record.attempt),
      status: record.status,
      durationMs: whole(record.durationMs),
      errorMessage: cut(record.errorMessage),
    });
  }
}

interface RunRow {
  runId: string;
  suite: string;
  client: string;
  image: string;
  fileCount: number;
  startedAt: number;
}

interface AttemptRow {
  run: number;
  file: number;
  chunk: string;
  attempt: number;
  final: number;
  status: string;
  exitCode: number | null;
  durationMs: number;
  startupMs: number | null;
  runMs: number | null;
  containerId: string | null;
  node: string | null;
  errorCode: string | null;
  errorMessage: string | null;
  scenarios: string | null;
  pack: string | null;
}

interface ScenarioResultRow {
  run: number;
  scenario: number;
  attempt: number;
  status: string;
  durationMs: number;
  errorMessage: string | null;
}

interface FinishRow {
  id: number;
  finishedAt: number;
  status: string;
  wallTimeMs: number;
  totals: string;
}

function runRow(record: RunStartedRecord): RunRow {
  const { runId, suite, client, image } = record;
  return { runId, suite, client, image, fileCount: whole(record.fileCount), startedAt: time(record.startedAt) };
}

/** `INSERT ... RETURNING` always yields its row; the types cannot know it. */
function inserted<T>(row: T | undefined): T {
  if (row === undefined) throw new Error('history: an insert returned no row');
  return row;
}

/**
 * A whole number (milliseconds, counts). A NaN would reach SQLite as NULL and fail its column's NOT NULL, taking the whole batch with
 * it: one bad number costs its own value only.
 */
function whole(value: number): number {
  return Number.isFinite(value) ? Math.round(value) : 0;
}

function wholeOrNull(value: number | null | undefined): number | null {
  return value == null || !Number.isFinite(value) ? null : Math.round(value);
}

/** An invalid Date's time is NaN: now is the best guess left. */
function time(date: Date): number {
  const ms = date.getTime();
  return Number.isFinite(ms) ? ms : Date.now();
}

function cut(message: string | null | undefined): string | null {
  return message == null ? null : message.slice(0, MAX_ERROR_MESSAGE_CHARS);
}
