import type { Database } from 'better-sqlite3';
import { MIGRATIONS } from './history-schema.js';
import { HistoryUnavailableError } from './history-unavailable-error.js';

/**
 * Brings the file's schema up to date. The check and the steps share one write transaction, so two processes
 * opening a new file at once migrate it once.
 */
export function migrate(db: Database, file: string, migrations: readonly string[] = MIGRATIONS): void {
  db.transaction(() => {
    const from = db.pragma('user_version', { simple: true }) as number;
    if (from > migrations.length) {
      throw new HistoryUnavailableError(
        'newer-schema',
        file,
        `it was written by a newer Baleen (schema ${from}; this one knows ${migrations.length}): upgrade Baleen, or move the file away`,
      );
    }
    for (const step of migrations.slice(from)) db.exec(step);
    // Written even when unchanged: one page, and the proof at open that the file can be written at all (a
    // read-only file opens without complaint and would fail only at the first flush). A pragma takes no bound
    // parameter; the value is a number we made.
    db.pragma(`user_version = ${migrations.length}`);
  }).immediate();
}
