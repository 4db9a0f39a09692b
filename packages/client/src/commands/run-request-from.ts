import type { ContainerRequest } from '@baleen/protocol';
import type { RunRequest } from '../run/run-request.js';
import type { CucumberPlan } from './cucumber-plan.js';
import type { TestKind, TestOptions } from './test-options.js';

/** What the command line and config file ask of the server, as a run request: a pure mapping, tested as such. */
export function runRequestFrom(
  kind: TestKind,
  options: TestOptions,
  found: {
    files: string[];
    cucumber: CucumberPlan | undefined;
    container: ContainerRequest | undefined;
    env: Record<string, string>;
  },
): RunRequest {
  const { files, cucumber, container, env } = found;
  return {
    image: options.image,
    files,
    ...(kind.command === undefined ? {} : { command: kind.command }),
    ...(cucumber === undefined
      ? {}
      : { cucumber: cucumber.cucumber, scenarios: files.map((file) => cucumber.scenarios.get(file)) }),
    ...(container === undefined ? {} : { container }),
    ...(options.pull === undefined ? {} : { pull: options.pull }),
    ...(options.prepare === undefined ? {} : { prepare: options.prepare }),
    ...(options.workDir === undefined ? {} : { workDir: options.workDir }),
    timeoutSeconds: options.timeout,
    concurrency: options.concurrency,
    env,
    retries: options.retries,
    // cucumber's own fail-fast (its config or the arguments after --) means the run, as under cucumber-js.
    failFast: options.failFast === true || cucumber?.failFast === true,
    ...(options.beforeCommand === undefined ? {} : { beforeCommand: options.beforeCommand }),
    ...(options.maxOutputBytes === undefined ? {} : { maxOutputBytes: options.maxOutputBytes }),
    order: options.order,
    ...(options.seed === undefined ? {} : { seed: options.seed }),
    ...(options.suite === undefined ? {} : { suite: options.suite }),
    ...(options.pack === undefined ? {} : { pack: options.pack }),
    ...(options.split === undefined ? {} : { split: options.split }),
  };
}

/** The value a flag was given, for messages (`--memory 1k`), from the options it maps to. */
export function givenValue(options: TestOptions, flag: string): string | undefined {
  if (!flag.startsWith('--')) return undefined;
  const key = flag.slice(2).replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
  const value = (options as unknown as Record<string, unknown>)[key];
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
    ? String(value)
    : undefined;
}
