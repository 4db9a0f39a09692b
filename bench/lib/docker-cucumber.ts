import { timeOk } from './measure.js';
import { BENCH_IMAGE } from './project.js';

export const CUCUMBER = 'node_modules/.bin/cucumber-js';

/** A timed `docker run --rm --network none` of cucumber-js in the bench image: the alternatives' way to run. */
export function dockerCucumber(...args: string[]): () => Promise<number> {
  return () =>
    timeOk('docker run cucumber-js', 'docker', ['run', '--rm', '--network', 'none', BENCH_IMAGE, CUCUMBER, ...args]);
}
