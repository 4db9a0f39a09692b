// Runs the test files with Node's own test runner (TypeScript through tsx), one file at a time: the
// end-to-end tests share one Docker engine and sample what runs on it, so they must not overlap.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import fg from 'fast-glob';

const which = process.argv[2] ?? 'all';
const unit = fg.sync('packages/*/src/**/*.test.ts').sort();
const e2e = fg.sync('test/**/*.test.ts', { ignore: ['test/zz-no-leftovers.test.ts'] }).sort();
// Last on purpose: after everything else, nothing Baleen created may remain on the engine.
const last = ['test/zz-no-leftovers.test.ts'];
const files = which === 'unit' ? unit : which === 'e2e' ? [...e2e, ...last] : [...unit, ...e2e, ...last];
if (files.length === 0) {
  console.error('run-tests: no test files found');
  process.exit(1);
}
// Everything this run's servers create carries `baleen.session=<this session>` (BALEEN_SESSION), naming this host
// and this process: the last test checks that none of it is left, and a later run can tell what an earlier,
// interrupted run of the suite left (its process is gone) from what a live Baleen server on the same engine runs,
// which it never touches.
const session = `test-${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
if (which !== 'unit') removeLeftoversOfEarlierRuns();

function removeLeftoversOfEarlierRuns() {
  const docker = (...args) => spawnSync('docker', args, { encoding: 'utf8' });
  const ofDeadSession = (value) => {
    const match = /^test-(.+)-(\d+)-[0-9a-f]{6}$/.exec(value ?? '');
    if (match === null || match[1] !== hostname()) return false;
    try {
      process.kill(Number(match[2]), 0);
      return false;
    } catch (error) {
      return error.code === 'ESRCH';
    }
  };
  const kinds = [
    [
      'service',
      ['service', 'ls', '--format', '{{.ID}} {{.Label "baleen.session"}}', '--filter', 'label=baleen.session'],
      ['service', 'rm'],
    ],
    [
      'container',
      ['ps', '--all', '--format', '{{.ID}} {{.Label "baleen.session"}}', '--filter', 'label=baleen.session'],
      ['rm', '--force', '--volumes'],
    ],
    [
      'volume',
      ['volume', 'ls', '--format', '{{.Name}} {{.Label "baleen.session"}}', '--filter', 'label=baleen.session'],
      ['volume', 'rm', '--force'],
    ],
  ];
  for (const [kind, list, remove] of kinds) {
    const listed = docker(...list);
    // Not a swarm manager, or no engine at all: the tests themselves will say what is wrong.
    if (listed.status !== 0) continue;
    const ids = listed.stdout
      .split('\n')
      .map((line) => line.trim().split(' '))
      .filter(([id, value]) => id && ofDeadSession(value))
      .map(([id]) => id);
    if (ids.length === 0) continue;
    console.error(`run-tests: removing ${ids.length} ${kind}(s) an earlier, interrupted test run left on the engine`);
    docker(...remove, ...ids);
  }
}

const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', ...files],
  { stdio: 'inherit', env: { ...process.env, BALEEN_SESSION: session } },
);
process.exit(result.status ?? 1);
