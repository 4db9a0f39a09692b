import type { TestKind } from './test-command.js';

/** cucumber's own message stream goes to stderr, where the server picks it out; progress stays on stdout. */
export const MESSAGE_FORMAT_ARGS = ['--format', 'message:/dev/stderr'];

export const DEFAULT_CUCUMBER_BIN = 'node_modules/.bin/cucumber-js';

/** `baleen cucumber`: one feature file per container, with scenario results from cucumber's messages. */
export function cucumberKind(cucumberBin: string | undefined, cucumberArgs: readonly string[]): TestKind {
  return {
    name: 'cucumber',
    directoryPattern: '**/*.feature',
    command: [cucumberBin ?? DEFAULT_CUCUMBER_BIN, ...MESSAGE_FORMAT_ARGS, ...cucumberArgs],
    cucumberMessages: true,
  };
}

/** `baleen run`: any command; its exit code alone decides pass or fail. */
export function runKind(command: readonly string[]): TestKind {
  return { name: 'run', directoryPattern: '**/*', command: [...command], cucumberMessages: false };
}
