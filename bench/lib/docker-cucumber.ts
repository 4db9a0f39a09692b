import { timeOk } from './measure.js';
import { BENCH_IMAGE } from './project.js';

export const CUCUMBER = 'node_modules/.bin/cucumber-js';

/** A timed `docker run --rm --network none` of cucumber-js in the bench image: the alternatives' way to run. */
export function dockerCucumber(...args: string[]): () => Promise<number> {
  return dockerCucumberIn(BENCH_IMAGE, ...args);
}

/** The same in another image. */
export function dockerCucumberIn(image: string, ...args: string[]): () => Promise<number> {
  return () =>
    timeOk('docker run cucumber-js', 'docker', ['run', '--rm', '--network', 'none', image, CUCUMBER, ...args]);
}

/** What a team without Baleen would script: `xargs -P N docker run --rm` of cucumber-js, one container per file. */
export function xargsDockerRun(image: string, concurrency: number, files: readonly string[]): () => Promise<number> {
  return () =>
    timeOk('xargs docker run', 'sh', [
      '-c',
      `printf '%s\\n' "$@" | xargs -P ${concurrency} -I{} docker run --rm --network none ${image} ${CUCUMBER} {}`,
      'sh',
      ...files,
    ]);
}
