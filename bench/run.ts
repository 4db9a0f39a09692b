// Runs Baleen's benchmarks and writes bench/RESULTS.md. Not part of the test suite: see bench/README.md.
//   npm run bench                       # every case, 3 repetitions
//   npm run bench -- overhead skewed    # some cases
//   npm run bench -- --reps 5
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import type { BenchContext } from './cases/context.js';
import { ciColdStart } from './cases/ci-cold-start.js';
import { ioBound } from './cases/io-bound.js';
import { outputFlood } from './cases/output-flood.js';
import { overhead } from './cases/overhead.js';
import { sharedLoad, sharedLoadDashboard } from './cases/shared-load.js';
import { skewed } from './cases/skewed.js';
import { skewedSplit } from './cases/skewed-split.js';
import { esmHeavy, tsHeavy } from './cases/startup-heavy.js';
import { BENCH_DIR, prepareProject, REPO_ROOT } from './lib/project.js';
import { renderResults, type CaseResult } from './lib/results.js';

const exec = promisify(execFile);
const CASES: Record<string, (ctx: BenchContext) => Promise<CaseResult>> = {
  overhead,
  'io-bound': ioBound,
  skewed,
  'shared-load': sharedLoad,
  'shared-load-dashboard': sharedLoadDashboard,
  'output-flood': outputFlood,
  'ts-heavy': tsHeavy,
  'esm-heavy': esmHeavy,
  'skewed-split': skewedSplit,
  'ci-cold-start': ciColdStart,
};

const { values, positionals } = parseArgs({
  options: { reps: { type: 'string', default: '3' }, out: { type: 'string' } },
  allowPositionals: true,
});
const reps = Number(values.reps);
const unknown = positionals.filter((name) => !(name in CASES));
if (!Number.isInteger(reps) || reps < 1 || unknown.length > 0) {
  process.stderr.write(`usage: npm run bench -- [--reps N] [${Object.keys(CASES).join(' | ')}]...\n`);
  process.exit(2);
}
const selected = positionals.length > 0 ? positionals : Object.keys(CASES);
const log = (line: string): void => void process.stderr.write(`bench: ${line}\n`);

async function machineLine(): Promise<string> {
  const { stdout } = await exec('docker', ['version', '--format', '{{.Server.Version}}']);
  const cpu = os.cpus()[0]?.model.trim() ?? 'unknown CPU';
  return `${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 1024 ** 3)} GiB, Linux ${os.release()}, Node ${process.version}, Docker ${stdout.trim()}`;
}

log('making sure the engine, the build and the fixtures image are there');
await exec('bash', [path.join(REPO_ROOT, 'scripts/ensure-docker.sh')]);
await exec('npm', ['run', 'build', '--silent'], { cwd: REPO_ROOT });
await exec('bash', [path.join(REPO_ROOT, 'scripts/build-fixtures-image.sh')]);
await prepareProject(log);

const results: { name: string; result: CaseResult }[] = [];
for (const name of selected) {
  log(`case ${name}`);
  const run = CASES[name];
  if (run !== undefined) results.push({ name, result: await run({ reps, log }) });
}

// The before/after history of the optimisations is kept by hand in bench/HISTORY.md and appended as it is.
const history = await readFile(path.join(BENCH_DIR, 'HISTORY.md'), 'utf8').catch(() => '');
const out = values.out ?? path.join(BENCH_DIR, 'RESULTS.md');
const date = new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
await writeFile(out, renderResults(date, await machineLine(), reps, results, history));
log(`wrote ${path.relative(process.cwd(), out)}`);
