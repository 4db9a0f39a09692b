import { defaultCapacity } from '@baleen/server';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { ORDERS } from './ordering/order-files.js';
import { DEFAULT_TIMINGS_FILE } from './ordering/timing-history.js';
import { cucumberCommand, type CucumberOptions } from './commands/cucumber-command.js';
import { EXIT } from './exit-codes.js';
import { CLIENT_VERSION } from './version.js';

function positiveInt(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new InvalidArgumentError('expected a positive integer');
  return parsed;
}

function nonNegativeInt(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) throw new InvalidArgumentError('expected a whole number, 0 or more');
  return parsed;
}

function positiveNumber(value: string): number {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0) throw new InvalidArgumentError('expected a positive number');
  return parsed;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

const EXIT_HELP = `
Exit codes:
  0    every file passed
  1    a file failed or timed out (or was flaky, with --fail-on-flaky)
  2    usage or infrastructure error: bad option, no files found, server or
       Docker unreachable, image missing, a file that could not be run
  130  cancelled with Ctrl-C (its containers are stopped and removed)`;

const program = new Command()
  .name('baleen')
  .description('Runs every test file in its own Docker container, in parallel, with live results.')
  .version(CLIENT_VERSION)
  .exitOverride()
  .showHelpAfterError('(run with --help for usage)');

program
  .command('cucumber')
  .description('run each cucumber feature file in its own container')
  .usage('--image IMAGE --files PATH... [options] [-- cucumber-js args]')
  .requiredOption('--image <image>', 'Docker image holding the project and cucumber-js')
  .option('--files <paths...>', 'feature files, directories (searched for **/*.feature) or globs')
  .option('--features <paths...>', 'alias of --files (the original baleen’s name)')
  .option('--server <url>', 'a baleen-server to use, e.g. ws://ci-box:5533 (default: one in this process)')
  .option('--token <token>', 'token for a server that requires one (or BALEEN_TOKEN)')
  .option('--ca <file>', 'CA certificate (PEM) to trust for a wss:// server')
  .option('--concurrency <n>', 'containers at once', positiveInt, defaultCapacity())
  .option(
    '--timeout <seconds>',
    'deadline per file; a file past it is killed and reported timed-out',
    positiveNumber,
    600,
  )
  .option('--work-dir <dir>', 'work dir in the container, where the project sits (default: the image’s WORKDIR)')
  .option('--before-command <cmd>', 'shell script run in each container before cucumber; its failure fails the file')
  .option(
    '--env <K=V>',
    'environment variable for the containers (repeatable; --env K passes this shell’s K)',
    collect,
    [],
  )
  .option('--cucumber-bin <path>', 'cucumber-js executable, relative to the work dir', 'node_modules/.bin/cucumber-js')
  .option('--max-output-bytes <n>', 'output kept per stream per file (the server may cap it)', positiveInt)
  .option(
    '--retries <n>',
    'run a failed or timed-out file again in a fresh container, up to n more times',
    nonNegativeInt,
    0,
  )
  .option('--fail-on-flaky', 'exit 1 when a file passed only after a retry')
  .option('--fail-fast', 'stop the run at the first failed file (reports are still written)')
  .addOption(
    new Option('--order <order>', 'start order: longest first by past timings, as given, or shuffled')
      .choices(ORDERS)
      .default('timing'),
  )
  .option('--seed <n>', 'seed for --order random, printed by every random run', nonNegativeInt)
  .option('--timings <file>', 'where past durations are kept, next to the project', DEFAULT_TIMINGS_FILE)
  .option('--json <file>', 'write a JSON summary of the run (every file’s status, attempts, exit codes, output)')
  .option('--messages <file>', 'write one cucumber message stream (NDJSON) for the whole run')
  .option('--junit <file>', 'write a JUnit XML report (a testcase per scenario)')
  .option('--html <file>', 'write cucumber’s HTML report for the whole run')
  .option('--show-output', 'print the output of passed files too, not only of those that did not pass')
  .argument('[cucumber-args...]', 'arguments for cucumber-js after --, e.g. -- --tags @smoke')
  .addHelpText('after', EXIT_HELP)
  .action(async (cucumberArgs: string[], options: CucumberOptions) => {
    process.exitCode = await cucumberCommand(options, cucumberArgs, {
      stdout: process.stdout,
      stderr: process.stderr,
      cwd: process.cwd(),
      onInterrupt: (handler) => {
        process.on('SIGINT', handler);
        return () => process.off('SIGINT', handler);
      },
    });
  });

try {
  await program.parseAsync();
} catch (error) {
  if (error instanceof CommanderError) {
    // Help and version are successes; every other parse failure is a usage error.
    process.exitCode = error.exitCode === 0 || error.code === 'commander.helpDisplayed' ? EXIT.passed : EXIT.error;
  } else {
    process.stderr.write(
      `baleen: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = EXIT.error;
  }
}
