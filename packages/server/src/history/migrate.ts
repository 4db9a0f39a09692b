import type { Database } from 'better-sqlite3';
import { MIGRATIONS } from './history-schema.js';
import { HistoryUnavailableError } from './history-unavailable-error.js';

/**
 * Brings the file's schema up to date. The check and the steps share one write transaction, so two processes
 * opening a new file at once migrate it once; a file already up to date costs one read.
 */
export function migrate(db: Database, file: string, migrations: readonly string[] = MIGRATIONS): void {
  const version = (): number => db.pragma('user_version', { simple: true }) as number;
  if (version() === migrations.length) return;
  db.transaction(() => {
    const from = version();
    if (from > migrations.length) {
      throw new HistoryUnavailableError(
        'newer-schema',
        file,
        `it was written by a newer Baleen (schema ${from}; this one knows ${migrations.length}): upgrade Baleen, or move the file away`,
      );
    }
    for (const step of migrations.slice(from)) db.exec(step);
    // A pragma takes no bound parameter; the value is a number we made.
    db.pragma(`user_version = ${migrations.length}`);
  }).immediate();
}
