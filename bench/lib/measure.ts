import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';

export interface Timed {
  ms: number;
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end and returns its wall time: what a user waiting for the command would see. */
export function timeProcess(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; onSpawn?: (pid: number) => void; keepChars?: number } = {},
): Promise<Timed> {
  const keep = options.keepChars ?? 20_000;
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (child.pid !== undefined) options.onSpawn?.(child.pid);
    // Keep only the tail: a benchmark's output is for diagnosing a failure, not for keeping.
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout = (stdout + chunk.toString()).slice(-keep)));
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-keep)));
    child.once('error', reject);
    child.once('close', (code) => resolve({ ms: performance.now() - started, code, stdout, stderr }));
  });
}

/** Like timeProcess, but a non-zero exit (other than the ones expected) fails the benchmark: no result from a broken run. */
export async function timeOk(
  label: string,
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; expectCodes?: number[] } = {},
): Promise<number> {
  const result = await timeProcess(command, args, options);
  if (!(options.expectCodes ?? [0]).includes(result.code ?? -1)) {
    throw new Error(
      `${label} exited ${String(result.code)}:\n${result.stdout.slice(-3000)}\n${result.stderr.slice(-3000)}`,
    );
  }
  return result.ms;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? Number.NaN)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/**
 * Runs every variant once per repetition, in a rotating order, so that a slow moment of the machine (or the
 * engine warming up) falls on all of them alike. Returns each variant's samples in milliseconds.
 */
export async function interleave(
  reps: number,
  variants: Record<string, () => Promise<number>>,
  log: (line: string) => void,
): Promise<Record<string, number[]>> {
  const names = Object.keys(variants);
  const samples: Record<string, number[]> = Object.fromEntries(names.map((name) => [name, []]));
  for (let rep = 0; rep < reps; rep++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + rep) % names.length] ?? '';
      const ms = await (variants[name] ?? (() => Promise.resolve(Number.NaN)))();
      samples[name]?.push(ms);
      log(`  rep ${rep + 1}/${reps} ${name}: ${(ms / 1000).toFixed(2)} s`);
    }
  }
  return samples;
}

export const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
