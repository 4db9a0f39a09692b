import type { Database, Statement } from 'better-sqlite3';

/** Runs kept per suite; older ones go, with their attempts and scenario results, when a run finishes. */
export const DEFAULT_KEEP_RUNS_PER_SUITE = 500;

/** Deletes a suite's runs beyond the newest `keep`; called inside the flush's transaction. */
export class Retention {
  readonly #keep: number;
  readonly #deleteOldRuns: Statement<[string, number]>;
  readonly #deleteOrphanScenarios: Statement<[string]>;
  readonly #deleteOrphanFiles: Statement<[string]>;

  constructor(db: Database, keep: number) {
    this.#keep = Math.max(1, Math.trunc(keep));
    // Attempts and scenario results go with their run (ON DELETE CASCADE).
    this.#deleteOldRuns = db.prepare(
      'DELETE FROM runs WHERE id IN (SELECT id FROM runs WHERE suite = ? ORDER BY id DESC LIMIT -1 OFFSET ?)',
    );
    // A renamed scenario or file would otherwise stay forever once its last result is gone.
    this.#deleteOrphanScenarios = db.prepare(
      `DELETE FROM scenarios WHERE file IN (SELECT id FROM files WHERE suite = ?)
         AND NOT EXISTS (SELECT 1 FROM scenario_results WHERE scenario = scenarios.id)`,
    );
    this.#deleteOrphanFiles = db.prepare(
      `DELETE FROM files WHERE suite = ?
         AND NOT EXISTS (SELECT 1 FROM file_attempts WHERE file = files.id)
         AND NOT EXISTS (SELECT 1 FROM scenarios WHERE file = files.id)`,
    );
  }

  /** Returns how many runs were deleted. */
  prune(suite: string): number {
    const deleted = this.#deleteOldRuns.run(suite, this.#keep).changes;
    if (deleted > 0) {
      this.#deleteOrphanScenarios.run(suite);
      this.#deleteOrphanFiles.run(suite);
    }
    return deleted;
  }
}
