/**
 * The history database's schema, as migration steps applied in order; `PRAGMA user_version` says how many a file
 * has had. Never edit a released step: add one.
 *
 * Times are milliseconds since the epoch. Runs are numbered as they start (`id`, never reused), and "newest"
 * means the highest number. File paths and scenarios are kept once in their own tables, because a suite's
 * 500 kept runs repeat the same paths and names hundreds of thousands of times.
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id TEXT NOT NULL UNIQUE,
    suite TEXT NOT NULL,
    client TEXT NOT NULL,
    image TEXT NOT NULL,
    file_count INTEGER NOT NULL,
    started_at INTEGER NOT NULL,
    -- The four below stay NULL until the run finishes (or forever, if its server died first).
    finished_at INTEGER,
    status TEXT,
    wall_time_ms INTEGER,
    totals TEXT
  );
  -- A rowid table's index ends with the id: this one also serves "newest runs of a suite" and retention.
  CREATE INDEX runs_by_suite ON runs (suite);
  CREATE INDEX runs_finished_by_suite ON runs (suite, finished_at) WHERE finished_at IS NOT NULL;

  CREATE TABLE files (
    id INTEGER PRIMARY KEY,
    suite TEXT NOT NULL,
    path TEXT NOT NULL,
    UNIQUE (suite, path)
  );

  CREATE TABLE file_attempts (
    run INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    file INTEGER NOT NULL REFERENCES files (id),
    -- '' when the file ran whole, so that the key below is unique (NULLs never collide in a key).
    chunk TEXT NOT NULL DEFAULT '',
    attempt INTEGER NOT NULL,
    final INTEGER NOT NULL,
    status TEXT NOT NULL,
    exit_code INTEGER,
    duration_ms INTEGER NOT NULL,
    startup_ms INTEGER,
    run_ms INTEGER,
    container_id TEXT,
    node TEXT,
    error_code TEXT,
    error_message TEXT,
    scenarios TEXT,
    pack TEXT,
    PRIMARY KEY (run, file, chunk, attempt)
  );
  -- Estimates, a file's trend and flaky detection read a file's attempts newest run first.
  CREATE INDEX file_attempts_by_file ON file_attempts (file, run);

  CREATE TABLE scenarios (
    id INTEGER PRIMARY KEY,
    file INTEGER NOT NULL REFERENCES files (id),
    line INTEGER NOT NULL,
    name TEXT NOT NULL,
    UNIQUE (file, line, name)
  );

  -- The biggest table by far (a run's every scenario, 500 runs a suite) and its rows are small: no rowid.
  CREATE TABLE scenario_results (
    run INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    scenario INTEGER NOT NULL REFERENCES scenarios (id),
    attempt INTEGER NOT NULL,
    status TEXT NOT NULL,
    duration_ms INTEGER NOT NULL,
    error_message TEXT,
    PRIMARY KEY (run, scenario, attempt)
  ) WITHOUT ROWID;
  CREATE INDEX scenario_results_by_scenario ON scenario_results (scenario, run);
  `,
];
