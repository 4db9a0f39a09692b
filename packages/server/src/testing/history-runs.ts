import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FileStatus, RunStatus } from '@baleen/protocol';
import type { ScenarioResultStatus } from '../history/history-records.js';
import { HistoryStore, type HistoryStoreOptions } from '../history/history-store.js';

/** A file of a made-up run: its attempts in order (the last one is final) and its scenarios' results. */
export interface MadeUpFile {
  file: string;
  attempts: { status: FileStatus; durationMs?: number; startupMs?: number; runMs?: number; chunk?: string }[];
  scenarios?: { line: number; name?: string; attempt?: number; status: ScenarioResultStatus; durationMs?: number }[];
}

export interface MadeUpRun {
  runId: string;
  suite?: string;
  /** Who ran it (a shared server's tenant); `local` by default. */
  client?: string;
  files: MadeUpFile[];
  /** 'unfinished': the run's end is never recorded. */
  status?: RunStatus | 'unfinished';
}

let clock = Date.UTC(2026, 0, 1);

/** Records a whole run the way the server will: start, each attempt and scenario, end. */
export function recordRun(store: HistoryStore, run: MadeUpRun): void {
  const suite = run.suite ?? 'suite-a';
  clock += 60_000;
  store.recordRunStarted({
    runId: run.runId,
    suite,
    client: run.client ?? 'local',
    image: 'baleen-fixtures',
    fileCount: run.files.length,
    startedAt: new Date(clock),
  });
  for (const { file, attempts, scenarios = [] } of run.files) {
    for (const scenario of scenarios) {
      store.recordScenario({
        runId: run.runId,
        file,
        line: scenario.line,
        name: scenario.name ?? `scenario at line ${scenario.line}`,
        attempt: scenario.attempt ?? 1,
        status: scenario.status,
        durationMs: scenario.durationMs ?? 10,
      });
    }
    const lastOfChunk = new Map(attempts.map((attempt, index) => [attempt.chunk ?? '', index]));
    const attemptsOfChunk = new Map<string, number>();
    attempts.forEach((attempt, index) => {
      const chunk = attempt.chunk ?? '';
      const number = (attemptsOfChunk.get(chunk) ?? 0) + 1;
      attemptsOfChunk.set(chunk, number);
      store.recordFileAttempt({
        runId: run.runId,
        file,
        attempt: number,
        final: lastOfChunk.get(chunk) === index,
        status: attempt.status,
        exitCode: attempt.status === 'passed' ? 0 : 1,
        durationMs: attempt.durationMs ?? 1000,
        startupMs: attempt.startupMs,
        runMs: attempt.runMs,
        chunk: attempt.chunk,
      });
    });
  }
  if (run.status === 'unfinished') return;
  store.recordRunFinished({
    runId: run.runId,
    status: run.status ?? 'passed',
    wallTimeMs: 5000,
    totals: { files: run.files.length },
    finishedAt: new Date(clock + 5000),
  });
}

/** The two places a store lives in tests: a real file in a temporary folder, and memory. */
export const STORAGES = [
  { name: 'on a file', file: (dir: string) => path.join(dir, 'nested', 'history.sqlite') },
  { name: 'in memory', file: () => ':memory:' },
] as const;

/** A temporary folder for the duration of `use`, removed afterwards whatever happened. */
export function withTempDir<T>(use: (dir: string) => T): T {
  const dir = mkdtempSync(path.join(tmpdir(), 'baleen-history-'));
  try {
    return use(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Opens a store for `use` and closes it afterwards; errors reported through onError are collected. */
export function withStore<T>(
  file: string,
  use: (store: HistoryStore, errors: Error[]) => T,
  options: HistoryStoreOptions = {},
): T {
  const errors: Error[] = [];
  const store = HistoryStore.open(file, { onError: (error) => errors.push(error), ...options });
  try {
    return use(store, errors);
  } finally {
    store.close();
  }
}

// Runs in another process: a lock held there blocks this process's SQLite calls, which wait synchronously.
const LOCK_HOLDER = `
const Database = require('better-sqlite3');
const [file, ms] = process.argv.slice(1);
const db = new Database(file);
db.exec('BEGIN IMMEDIATE');
process.stdout.write('locked\\n');
Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Number(ms));
db.exec('COMMIT');
db.close();
`;

/**
 * Has another process take the database's write lock and hold it for `ms`, as a second Baleen run's flush would.
 * Resolves once the lock is held, with a promise of the process's end.
 */
export async function holdWriteLock(file: string, ms: number): Promise<{ released: Promise<void> }> {
  const holder = spawn(process.execPath, ['-e', LOCK_HOLDER, file, String(ms)], {
    cwd: path.dirname(fileURLToPath(import.meta.url)), // where require() finds better-sqlite3
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const released = once(holder, 'exit').then(([code]) => {
    if (code !== 0) throw new Error(`the lock holder exited with ${String(code)}`);
  });
  const [data] = (await Promise.race([once(holder.stdout, 'data'), released])) as [Buffer] | undefined[];
  if (!String(data).startsWith('locked')) throw new Error('the lock holder never took the lock');
  return { released };
}
