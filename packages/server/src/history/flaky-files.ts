import type { Database, Statement } from 'better-sqlite3';
import type { FlakyFile } from './history-records.js';
import { RAN_TO_AN_END } from './run-outcome.js';
import { sqlList } from './sql-list.js';

/**
 * Files that behaved flakily over a suite's last N finished runs: they passed only on a retry, or their outcome
 * changed at least twice (pass, fail, pass) — a single change is a file that broke or was fixed, not a flaky one.
 * A run counts for a file when every final attempt of it (one per chunk) ran to an end: a cancelled or errored
 * run says nothing about the file. Worked out inside SQLite, so that 50 runs of 2,000 files never cross into
 * JavaScript row by row.
 */
export class FlakyFilesQuery {
  readonly #statement: Statement<
    [string, number],
    { file: string; runs: number; retriedPasses: number; flips: number; flakyRuns: number }
  >;

  constructor(db: Database) {
    this.#statement = db.prepare(
      `WITH outcomes AS (
         SELECT file, run, SUM(status <> 'passed') = 0 AS passed, MAX(attempt) AS attempts
         FROM file_attempts
         WHERE final = 1
           AND run IN (SELECT id FROM runs WHERE suite = ? AND finished_at IS NOT NULL ORDER BY id DESC LIMIT ?)
         GROUP BY file, run
         HAVING SUM(status NOT IN ${sqlList(RAN_TO_AN_END)}) = 0
       ),
       marked AS (
         SELECT file, passed AND attempts > 1 AS retried,
           -- NULL for a file's first run: nothing to change from.
           passed <> LAG(passed) OVER (PARTITION BY file ORDER BY run) AS flipped
         FROM outcomes
       )
       SELECT f.path AS file, COUNT(*) AS runs, SUM(retried) AS retriedPasses, SUM(flipped IS 1) AS flips,
         SUM(retried OR flipped IS 1) AS flakyRuns
       FROM marked JOIN files f ON f.id = marked.file
       GROUP BY marked.file
       HAVING retriedPasses > 0 OR flips >= 2`,
    );
  }

  /** The flakiest first: by the share of runs that passed on a retry or changed outcome. */
  run(suite: string, runs: number): FlakyFile[] {
    return this.#statement
      .all(suite, Math.max(0, Math.trunc(runs)))
      .map(({ file, runs, retriedPasses, flips, flakyRuns }) => ({
        file,
        runs,
        retriedPasses,
        flips,
        flakyRate: flakyRuns / runs,
      }))
      .sort((a, b) => b.flakyRate - a.flakyRate || b.flips - a.flips || a.file.localeCompare(b.file));
  }
}
