import type { TestKind } from './test-options.js';
import { FEATURE_FILE_PATTERN } from '../discovery/cucumber/discover-cucumber.js';

export const DEFAULT_CUCUMBER_BIN = 'node_modules/.bin/cucumber-js';

/**
 * `baleen cucumber`: one feature file per container, the project's cucumber-js behind Baleen's runner, with
 * scenario results from cucumber's messages.
 */
export function cucumberKind(cucumberBin: string | undefined, cucumberArgs: readonly string[]): TestKind {
  return {
    name: 'cucumber',
    directoryPattern: FEATURE_FILE_PATTERN,
    cucumber: { bin: cucumberBin ?? DEFAULT_CUCUMBER_BIN, args: [...cucumberArgs] },
  };
}

/** `baleen run`: any command; its exit code alone decides pass or fail. */
export function runKind(command: readonly string[]): TestKind {
  return { name: 'run', directoryPattern: '**/*', command: [...command] };
}
