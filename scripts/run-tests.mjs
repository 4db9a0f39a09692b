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
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', ...files],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
