import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SERVER_BIN } from './project.js';

/** A real baleen-server process, for the cases that measure the server itself. */
export interface ServerProcess {
  url: string;
  http: string;
  /** Where the server keeps its id and its suite history (history.sqlite). */
  stateDir: string;
  pid: number;
  child: ChildProcess;
  /** VmRSS and VmHWM (peak) of the server, in MiB. */
  memory(): Promise<{ rss: number; peak: number }>;
  metrics(): Promise<string>;
  stop(): Promise<void>;
}

export async function startServer(args: string[]): Promise<ServerProcess> {
  const stateDir = await mkdtemp(path.join(tmpdir(), 'baleen-bench-state-'));
  const child = spawn('node', [SERVER_BIN, '--port', '0', '--log-level', 'warn', '--state-dir', stateDir, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let seen = '';
    const onData = (chunk: Buffer): void => {
      seen += chunk.toString();
      const match = /listening on (ws:\/\/\S+)/.exec(seen);
      if (match?.[1] !== undefined) resolve(match[1]);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`baleen-server exited (${String(code)}): ${seen}`)));
  });
  const http = url.replace(/^ws/, 'http');
  const pid = child.pid ?? 0;
  const kib = (status: string, field: string): number =>
    Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) / 1024;
  return {
    url,
    http,
    stateDir,
    pid,
    child,
    async memory() {
      const status = await readFile(`/proc/${pid}/status`, 'utf8');
      return { rss: kib(status, 'VmRSS'), peak: kib(status, 'VmHWM') };
    },
    async metrics() {
      return (await fetch(`${http}/metrics`)).text();
    },
    async stop() {
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

/** One sample of a Prometheus metric (the first line that names it exactly, with or without labels). */
export function metric(text: string, name: string): number {
  const line = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text);
  return Number(line?.[1] ?? Number.NaN);
}
