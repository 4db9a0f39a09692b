import type { Database } from 'better-sqlite3';
import type {
  FileAttemptRecord,
  FileEstimate,
  FileHistoryEntry,
  FlakyFile,
  LastRun,
  RunFinishedRecord,
  RunStartedRecord,
  RunSummary,
  ScenarioHistoryEntry,
  ScenarioRecord,
  StoredFileAttempt,
  StoredScenario,
} from './history-records.js';
import { HistoryQueries } from './history-queries.js';
import { explainFailure } from './history-unavailable-error.js';
import { HistoryWriter } from './history-writer.js';
import { DEFAULT_BUSY_TIMEOUT_MS, openDatabase } from './open-database.js';
import type { PendingWrite } from './pending-write.js';
import { DEFAULT_KEEP_RUNS_PER_SUITE } from './retention.js';
import { DEFAULT_FLUSH_INTERVAL_MS, DEFAULT_MAX_PENDING_WRITES, WriteBuffer } from './write-buffer.js';

export interface HistoryStoreOptions {
  /**
   * Told about a failure after open (a write or a read that failed), once until the store works again, and
   * about records dropped because their run was never recorded as started, once per run.
   */
  onError?: ((error: Error) => void) | undefined;
  flushIntervalMs?: number | undefined;
  maxPendingWrites?: number | undefined;
  keepRunsPerSuite?: number | undefined;
  busyTimeoutMs?: number | undefined;
}

export interface HistoryStoreStats {
  pendingWrites: number;
  /** Transactions that wrote a batch. */
  flushes: number;
  /** Batches lost to a failed transaction, and the records in them. */
  failedFlushes: number;
  lostWrites: number;
  /** The longest a flush held the event loop, in milliseconds. */
  longestFlushMs: number;
}

/** Bounds the run ids remembered as already reported, should a caller never record its runs' starts. */
const MAX_REPORTED_UNKNOWN_RUNS = 1000;

/**
 * What every run of every suite did, in SQLite: recorded as the run goes (buffered, flushed in batches), and
 * asked by the scheduler (estimates), a dashboard (runs, trends, flaky files) and `--last-failed`.
 *
 * Once open, it never throws at its caller: a failed write loses its batch and is reported through `onError`,
 * and reads go on answering with what the file holds (an empty answer if even that fails).
 */
export class HistoryStore {
  readonly file: string;
  readonly #db: Database;
  readonly #writer: HistoryWriter;
  readonly #queries: HistoryQueries;
  readonly #buffer: WriteBuffer<PendingWrite>;
  readonly #onError: (error: Error) => void;
  readonly #stats: Omit<HistoryStoreStats, 'pendingWrites'> = {
    flushes: 0,
    failedFlushes: 0,
    lostWrites: 0,
    longestFlushMs: 0,
  };
  /** Each kind of failure is reported once, until that kind of access works again. */
  readonly #failing = { write: false, read: false };
  #closed = false;
  readonly #reportedUnknownRuns = new Set<string>();

  /**
   * Opens `file` (':memory:' for a store that lives as long as the object), creating it and its folder.
   * Throws a HistoryUnavailableError naming the file and what to do when it cannot be opened or migrated.
   */
  static open(file: string, options: HistoryStoreOptions = {}): HistoryStore {
    const db = openDatabase(file, options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS);
    try {
      return new HistoryStore(file, db, options);
    } catch (error) {
      db.close();
      throw explainFailure(file, error);
    }
  }

  private constructor(file: string, db: Database, options: HistoryStoreOptions) {
    this.file = file;
    this.#db = db;
    this.#onError = options.onError ?? (() => undefined);
    this.#writer = new HistoryWriter(db, options.keepRunsPerSuite ?? DEFAULT_KEEP_RUNS_PER_SUITE);
    this.#queries = new HistoryQueries(db);
    this.#buffer = new WriteBuffer((batch) => this.#write(batch), {
      intervalMs: options.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS,
      maxPending: options.maxPendingWrites ?? DEFAULT_MAX_PENDING_WRITES,
    });
  }

  recordRunStarted(record: RunStartedRecord): void {
    this.#add({ type: 'run-started', record });
  }

  recordFileAttempt(record: FileAttemptRecord): void {
    this.#add({ type: 'file-attempt', record });
  }

  recordScenario(record: ScenarioRecord): void {
    this.#add({ type: 'scenario', record });
  }

  /** Flushes at once: the run's end is what `--last-failed` and the next run's estimates read. */
  recordRunFinished(record: RunFinishedRecord): void {
    this.#add({ type: 'run-finished', record });
    this.flush();
  }

  /** Writes what is waiting, now. */
  flush(): void {
    if (!this.#closed) this.#buffer.flush();
  }

  /** Flushes and closes; safe to call twice. Records given after it are dropped. */
  close(): void {
    if (this.#closed) return;
    this.#buffer.flush();
    this.#closed = true;
    try {
      // Lets SQLite refresh the statistics its planner uses, where they are out of date: cheap when they are not.
      this.#db.pragma('optimize');
      this.#db.close();
    } catch (error) {
      this.#report('write', explainFailure(this.file, error, 'closing'));
    }
  }

  stats(): HistoryStoreStats {
    return { pendingWrites: this.#buffer.size, ...this.#stats };
  }

  /** For each of `files` the suite has timings of: the median of its last 5 final attempts that ran to an end. */
  fileEstimates(suite: string, files: readonly string[]): Map<string, FileEstimate> {
    return this.#read(new Map<string, FileEstimate>(), () => this.#queries.fileEstimates(suite, files));
  }

  /** Per scenario line of the file: the median duration of its last 5 results that passed or failed. */
  scenarioEstimates(suite: string, file: string): Map<number, number> {
    return this.#read(new Map<number, number>(), () => this.#queries.scenarioEstimates(suite, file));
  }

  /**
   * The suite's latest finished run that was not cancelled (of one client — a shared server's tenant — if given),
   * with each file's status and what did not pass.
   */
  lastRun(suite: string, client?: string): LastRun | undefined {
    return this.#read(undefined, () => this.#queries.lastRun(suite, client));
  }

  /** Newest first, of one suite or of all. */
  recentRuns(options: { suite?: string | undefined; limit: number }): RunSummary[] {
    return this.#read([], () => this.#queries.recentRuns(options));
  }

  /** Every attempt of every file of the run, by file and attempt. */
  runFiles(runId: string): StoredFileAttempt[] {
    return this.#read([], () => this.#queries.runFiles(runId));
  }

  /** The run's scenario results (of one file, if given), by file, line and attempt. */
  runScenarios(runId: string, file?: string): StoredScenario[] {
    return this.#read([], () => this.#queries.runScenarios(runId, file));
  }

  /** The file's final status and duration in each run, newest first. */
  fileHistory(suite: string, file: string, limit: number): FileHistoryEntry[] {
    return this.#read([], () => this.#queries.fileHistory(suite, file, limit));
  }

  /** Files that passed only on a retry, or whose outcome went back and forth, over the suite's last `runs` runs. */
  flakyFiles(suite: string, options: { runs: number }): FlakyFile[] {
    return this.#read([], () => this.#queries.flakyFiles(suite, options));
  }

  suites(): string[] {
    return this.#read([], () => this.#queries.suites());
  }

  /** A scenario's (by its line) last attempt and duration in each of its last `limit` runs, newest first. */
  scenarioHistory(suite: string, file: string, line: number, limit: number): ScenarioHistoryEntry[] {
    return this.#read([], () => this.#queries.scenarioHistory(suite, file, line, limit));
  }

  #add(write: PendingWrite): void {
    if (!this.#closed) this.#buffer.add(write);
  }

  /** The buffer's flush: one transaction, whose failure is reported and never thrown. */
  #write(batch: PendingWrite[]): void {
    const started = performance.now();
    try {
      const { unknownRuns } = this.#writer.write(batch);
      this.#stats.flushes += 1;
      this.#failing.write = false;
      for (const runId of unknownRuns) this.#reportUnknownRun(runId);
    } catch (error) {
      this.#stats.failedFlushes += 1;
      this.#stats.lostWrites += batch.length;
      this.#report('write', explainFailure(this.file, error, `${batch.length} history records not written`));
    } finally {
      this.#stats.longestFlushMs = Math.max(this.#stats.longestFlushMs, performance.now() - started);
    }
  }

  /** A read sees this process's own writes: what waits is flushed first. */
  #read<T>(fallback: T, query: () => T): T {
    this.flush();
    try {
      const answer = query();
      this.#failing.read = false;
      return answer;
    } catch (error) {
      this.#report('read', explainFailure(this.file, error, 'a history query failed'));
      return fallback;
    }
  }

  #report(kind: 'write' | 'read', error: Error): void {
    if (this.#failing[kind]) return;
    this.#failing[kind] = true;
    this.#onError(error);
  }

  #reportUnknownRun(runId: string): void {
    if (this.#reportedUnknownRuns.has(runId)) return;
    if (this.#reportedUnknownRuns.size >= MAX_REPORTED_UNKNOWN_RUNS) this.#reportedUnknownRuns.clear();
    this.#reportedUnknownRuns.add(runId);
    this.#onError(new Error(`history: records of run ${runId} dropped: its start was never recorded`));
  }
}
