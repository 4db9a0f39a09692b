import { EXIT, type ExitCode } from '../exit-codes.js';
import type { Colors } from '../report/colors.js';
import { askLastFailed } from '../run/ask-last-failed.js';
import { selectLastFailed } from './last-failed-selection.js';
import type { ServerConnectionOptions } from './server-connection-from.js';
import type { CommandIo, TestKind, TestOptions } from './test-options.js';

/**
 * --last-failed: the files (and, for cucumber, the scenarios) that did not pass in the suite's previous run, from
 * the shared server (this token's runs) or the project's history file. When there is nothing to rerun, the exit
 * code instead: 0 with --pass-with-no-scenarios, else 2 — a run that tested nothing.
 */
export async function lastFailedInputs(
  kind: TestKind,
  options: TestOptions,
  connection: ServerConnectionOptions,
  io: CommandIo,
  colors: Colors,
): Promise<string[] | ExitCode> {
  const answer = await askLastFailed({
    ...connection,
    image: options.image,
    ...(options.suite === undefined ? {} : { suite: options.suite }),
  });
  const where = options.server === undefined ? `the project's history (${options.history})` : options.server;
  const selection = selectLastFailed(answer, { cucumber: kind.cucumber !== undefined, where });
  if (selection.nothing !== undefined) {
    if (options.passWithNoScenarios === true) {
      io.stdout.write(`baleen: --last-failed: ${selection.nothing} (--pass-with-no-scenarios)\n`);
      return EXIT.passed;
    }
    io.stderr.write(`baleen: --last-failed: ${selection.nothing}; pass --pass-with-no-scenarios if that is expected\n`);
    return EXIT.error;
  }
  if ((options.files ?? []).length + (options.features ?? []).length > 0) {
    io.stderr.write('baleen: --last-failed replaces the files given: it reruns what failed\n');
  }
  io.stdout.write(colors.dim(`baleen: ${selection.said}\n`));
  return selection.targets;
}
