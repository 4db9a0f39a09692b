import { timeOk } from './measure.js';
import { BALEEN_BIN, BENCH_IMAGE, PROJECT_DIR } from './project.js';

/** Baleen's side of a case: the real CLI, run from the bench project with the bench image, timed; a failure throws. */
export function timeBaleen(label: string, command: 'cucumber' | 'run', args: string[]): Promise<number> {
  return timeOk(label, 'node', [BALEEN_BIN, command, '--image', BENCH_IMAGE, ...args], { cwd: PROJECT_DIR });
}
