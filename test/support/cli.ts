import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BALEEN_BIN, FIXTURES, SERVER_BIN } from './paths.js';

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunningCli {
  child: ChildProcess;
  /** Resolves when stdout has shown text matching the pattern. */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<string>;
  done: Promise<CliResult>;
  /** stdout so far. */
  output(): string;
}

/** Starts the real `baleen` CLI as a child process, from the fixtures project, colour off. */
export function startBaleen(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): RunningCli {
  return startNode(BALEEN_BIN, args, options);
}

export function startServerProcess(args: string[], options: { env?: NodeJS.ProcessEnv } = {}): RunningCli {
  return startNode(SERVER_BIN, args, options);
}

/** Any Node bin (an installed `baleen`, say) as a child process, colour off. */
export function startNode(
  bin: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): RunningCli {
  const child = spawn(process.execPath, [bin, ...args], {
    cwd: options.cwd ?? FIXTURES,
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const listeners = new Set<() => void>();
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    listeners.forEach((notify) => notify());
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const done = new Promise<CliResult>((resolve) => {
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  const waitForOutput = (pattern: RegExp, timeoutMs = 60_000): Promise<string> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        const match = pattern.exec(stdout);
        if (match === null) return;
        listeners.delete(check);
        clearTimeout(timer);
        resolve(match[1] ?? match[0]);
      };
      const timer = setTimeout(() => {
        listeners.delete(check);
        reject(new Error(`timed out waiting for ${pattern} in stdout:\n${stdout}\nstderr:\n${stderr}`));
      }, timeoutMs);
      listeners.add(check);
      check();
      void done.then(() => {
        if (listeners.has(check)) {
          listeners.delete(check);
          clearTimeout(timer);
          reject(new Error(`process ended before ${pattern} appeared:\n${stdout}\nstderr:\n${stderr}`));
        }
      });
    });
  return { child, waitForOutput, done, output: () => stdout };
}

/** Runs the real CLI to its end. */
export function runBaleen(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
  return startBaleen(args, options).done;
}

export interface JsonReport {
  runId: string;
  status: string;
  totals: Record<string, number>;
  files: {
    file: string;
    status: string;
    exitCode: number | null;
    containerId: string | null;
    /** Where the file ran, on the swarm backend. */
    node?: string;
    stdout: string;
    stderr: string;
    stdoutTruncated: boolean;
    stderrTruncated: boolean;
    error?: { code: string; message: string };
    scenarios?: Record<string, number>;
    steps?: Record<string, number>;
    /** cucumber: container start to testRunStarted, and the file's scenarios, ms. */
    startupMs?: number;
    runMs?: number;
    /** The file shared its container (--pack) with this many files in all. */
    pack?: { files: number };
    /** The file ran split over this many containers. */
    chunks?: number;
    attempts: { attempt: number; status: string; containerId: string | null }[];
  }[];
}

/** Runs the CLI with --json into a temp file and returns both the process result and the report. */
export async function runBaleenWithReport(
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<CliResult & { report: JsonReport }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'baleen-e2e-'));
  const file = path.join(dir, 'report.json');
  // Before any `--`: what follows it belongs to cucumber-js.
  const dashes = args.indexOf('--');
  const withJson =
    dashes === -1 ? [...args, '--json', file] : [...args.slice(0, dashes), '--json', file, ...args.slice(dashes)];
  const result = await runBaleen(withJson, options);
  let report: JsonReport;
  try {
    report = JSON.parse(await readFile(file, 'utf8')) as JsonReport;
  } catch (error) {
    throw new Error(`no JSON report (exit ${String(result.code)}):\n${result.stdout}\n${result.stderr}`, {
      cause: error,
    });
  }
  return { ...result, report };
}

export function runIdFrom(stdout: string): string {
  const match = /run (run-[0-9a-f]+) accepted/.exec(stdout);
  if (match?.[1] === undefined) throw new Error(`no run id in output:\n${stdout}`);
  return match[1];
}
