import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CucumberPlan } from './cucumber-plan.js';
import { runRequestFrom } from './run-request-from.js';
import type { TestKind, TestOptions } from './test-options.js';

const kind: TestKind = {
  name: 'cucumber',
  directoryPattern: '**/*.feature',
  cucumber: { bin: 'node_modules/.bin/cucumber-js', args: [] },
};
const options: TestOptions = {
  image: 'app:1',
  concurrency: 2,
  timeout: 60,
  env: [],
  retries: 0,
  order: 'timing',
  history: '.baleen/history.sqlite',
};

function plan(failFast: boolean): CucumberPlan {
  return {
    files: ['features/a.feature'],
    scenarios: new Map([['features/a.feature', undefined]]),
    noMatch: [],
    cucumber: { bin: 'node_modules/.bin/cucumber-js', args: failFast ? ['--fail-fast'] : [], suitePaths: ['features'] },
    expectedScenarios: undefined,
    banner: [],
    warnings: [],
    filterText: 'no tag or name filter',
    failFast,
  };
}

describe('runRequestFrom', () => {
  const found = (cucumber: CucumberPlan) => ({ files: cucumber.files, cucumber, container: undefined, env: {} });

  it('stops the whole run at the first failed file when the cucumber configuration asks for fail-fast', () => {
    // cucumber-js --fail-fast stops its whole run; in one container it would stop only that container's file.
    assert.equal(runRequestFrom(kind, options, found(plan(true))).failFast, true);
  });

  it('keeps fail-fast off unless --fail-fast or the cucumber configuration asks for it', () => {
    assert.equal(runRequestFrom(kind, options, found(plan(false))).failFast, false);
    assert.equal(runRequestFrom(kind, { ...options, failFast: true }, found(plan(false))).failFast, true);
  });
});
