import { mkdirSync } from 'node:fs';
import path from 'node:path';
import DatabaseConstructor, { type Database } from 'better-sqlite3';
import { explainFailure } from './history-unavailable-error.js';
import { migrate } from './migrate.js';

export const IN_MEMORY = ':memory:';

/** Long enough for another Baleen process's flush (milliseconds), short enough to notice a stuck one. */
export const DEFAULT_BUSY_TIMEOUT_MS = 5000;

/**
 * Opens (creating it and its folder if need be) and migrates the history database. Everything that can go wrong
 * here is thrown as a HistoryUnavailableError naming the file; nothing is left open when it does.
 */
export function openDatabase(file: string, busyTimeoutMs = DEFAULT_BUSY_TIMEOUT_MS): Database {
  let db: Database | undefined;
  try {
    if (file !== IN_MEMORY) mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    // timeout is SQLite's busy_timeout: a write waits this long for another connection's lock before failing.
    db = new DatabaseConstructor(file, { timeout: busyTimeoutMs });
    // WAL: readers (a dashboard) never wait for the writer, and a commit costs one append. NORMAL is safe with
    // WAL: a power cut can lose the last commits, never corrupt the file — right for a history.
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    migrate(db, file);
    return db;
  } catch (error) {
    db?.close();
    throw explainFailure(file, error);
  }
}
