import { constants } from 'node:fs';
import { access, mkdir, open, rm } from 'node:fs/promises';
import path from 'node:path';
import { BaleenError, runSchema, type ClientMessage } from '@baleen/protocol';
import type { RunRequest } from '../run/run-request.js';

/** Report options and where they write. */
const REPORT_FLAGS = { json: '--json', messages: '--messages', junit: '--junit', html: '--html' } as const;

/**
 * Every report path, checked before the first container: its folder is made (as the report would make it) and
 * the file opened for writing, so a path that cannot be written (`/proc/x.xml`, a read-only folder) is found now,
 * not after the whole run.
 */
export async function checkReportTargets(
  targets: Partial<Record<keyof typeof REPORT_FLAGS, string>>,
  cwd: string,
): Promise<void> {
  for (const [key, flag] of Object.entries(REPORT_FLAGS) as [keyof typeof REPORT_FLAGS, string][]) {
    const target = targets[key];
    if (target === undefined) continue;
    const file = path.resolve(cwd, target);
    const existed = await access(file, constants.F_OK).then(
      () => true,
      () => false,
    );
    try {
      await mkdir(path.dirname(file), { recursive: true });
      const handle = await open(file, 'a');
      await handle.close();
      if (!existed) await rm(file, { force: true });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? String(error);
      throw new BaleenError('USAGE', `${flag} ${target}: cannot write there (${code}) — choose a path you can write`);
    }
  }
}

/** Where each field of a run request comes from, to name the flag when it is out of bounds. */
const FLAG_OF: Record<string, string> = {
  image: '--image',
  files: '--files',
  timeoutSeconds: '--timeout',
  concurrency: '--concurrency',
  env: '--env',
  beforeCommand: '--before-command',
  maxOutputBytes: '--max-output-bytes',
  retries: '--retries',
  workDir: '--work-dir',
  prepare: '--prepare',
  seed: '--seed',
  suite: '--suite',
  pack: '--pack',
  'container.memoryBytes': '--memory',
  'container.cpus': '--cpus',
  'container.cpusetCpus': '--cpuset-cpus',
  'container.pidsLimit': '--pids-limit',
  'container.network': '--network',
  'container.user': '--user',
  'container.hostname': '--hostname',
  'container.entrypoint': '--entrypoint',
  'container.shmSizeBytes': '--shm-size',
  'container.gpus': '--gpus',
  'container.tmpfs': '--tmpfs',
  'container.volumes': '--volume',
  'container.publish': '--publish',
  'cucumber.bin': '--cucumber-bin',
  'cucumber.args': 'the cucumber arguments after --',
};

/**
 * The run request checked against the protocol's own schema — the limits every server applies — before anything
 * connects or starts, each problem named by its flag: `--concurrency 100000: at most 1024`, not an error from the
 * server after the banner.
 */
export function checkRequest(request: RunRequest, given: (flag: string) => string | undefined): void {
  // The expected scenarios travel in frames of their own; the rest is the run message.
  const run: Partial<RunRequest> = { ...request };
  delete run.scenarios;
  const parsed = runSchema.safeParse({ type: 'run', runRef: 'preflight', ...run } satisfies Partial<ClientMessage>);
  if (parsed.success) return;
  const problems = parsed.error.issues.slice(0, 5).map((issue) => {
    const key = issue.path.slice(0, 2).map(String).join('.');
    const flag = FLAG_OF[key] ?? FLAG_OF[String(issue.path[0])] ?? issue.path.map(String).join('.');
    const value = given(flag);
    return `${flag}${value === undefined ? '' : ` ${value}`}: ${issue.message}`;
  });
  throw new BaleenError('USAGE', problems.join('; '));
}
