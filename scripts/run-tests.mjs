// Runs the test files with Node's own test runner (TypeScript through tsx), one file at a time: the
// end-to-end tests share one Docker engine and sample what runs on it, so they must not overlap.
import { spawnSync } from 'node:child_process';
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
// The end-to-end tests, and the last one above, assert that Baleen leaves nothing on the engine. An earlier run of
// this suite that was killed (its session ended, a machine restart) leaves what it had running; that is not this
// run's doing, so it is removed first, and said.
if (which !== 'unit') removeLeftoversOfAnEarlierRun();

function removeLeftoversOfAnEarlierRun() {
  const docker = (...args) => spawnSync('docker', args, { encoding: 'utf8' });
  const kinds = [
    ['service', ['service', 'ls', '--quiet', '--filter', 'label=baleen.managed=true'], ['service', 'rm']],
    ['container', ['ps', '--all', '--quiet', '--filter', 'label=baleen.managed=true'], ['rm', '--force', '--volumes']],
    ['volume', ['volume', 'ls', '--quiet', '--filter', 'label=baleen.managed=true'], ['volume', 'rm', '--force']],
  ];
  for (const [kind, list, remove] of kinds) {
    const listed = docker(...list);
    // Not a swarm manager, or no engine at all: the tests themselves will say what is wrong.
    if (listed.status !== 0) continue;
    const ids = listed.stdout.split('\n').filter(Boolean);
    if (ids.length === 0) continue;
    console.error(`run-tests: removing ${ids.length} ${kind}(s) an earlier, interrupted test run left on the engine`);
    docker(...remove, ...ids);
  }
}

const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', ...files],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
