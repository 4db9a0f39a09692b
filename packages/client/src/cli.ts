import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { defaultCapacity, isBaleenError, PULL_POLICIES, RUN_ORDERS, SPLIT_MODES } from '@baleen/protocol';
import { collect, nonNegativeInt, positiveInt, positiveNumber } from '@baleen/server/option-parsers';
import { testCommand } from './commands/test-command.js';
import type { TestKind, TestOptions } from './commands/test-options.js';
import { loadProjectConfig } from './config/project-config.js';
import { builtImageName } from './commands/build-option.js';
import { cucumberKind, DEFAULT_CUCUMBER_BIN, runKind } from './commands/test-kinds.js';
import { EXIT } from './exit-codes.js';
import { DEFAULT_HISTORY_FILE } from './run/run-tests.js';
import { CLIENT_VERSION } from './version.js';

/** --pack: seconds, or `auto` (about one pack per slot). */
function packOption(value: string): number | 'auto' {
  if (value === 'auto') return 'auto';
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0) throw new InvalidArgumentError("expected seconds (e.g. 30) or 'auto'");
  return parsed;
}

const EXIT_HELP = `
Exit codes:
  0    every file passed
  1    a file failed, timed out or ran out of memory (or was flaky, with
       --fail-on-flaky), or the --prepare stage failed
  2    usage or infrastructure error: bad option or config file, no files found,
       server or Docker unreachable, image missing or its --build failed, a
       file that could not be run, nothing to rerun with --last-failed (unless
       --pass-with-no-scenarios)
  130  cancelled with Ctrl-C (its containers are stopped and removed)`;

const program = new Command()
  .name('baleen')
  .description('Runs every test file in its own Docker container, in parallel, with live results.')
  .version(CLIENT_VERSION)
  .exitOverride()
  .showHelpAfterError('(run with --help for usage)');

/** Options shared by every test runner: where, what image, how many, how long, the container, the reports. */
function addRunOptions(command: Command): Command {
  return (
    command
      .option('--image <image>', 'Docker image holding the project and its test runner')
      .option(
        '--files <paths...>',
        'test files, directories or globs (cucumber: FILE:LINE too; default: the paths of the cucumber config, else features/)',
      )
      .option('--config <file>', 'config file (default: baleen.config.json|yaml|yml|mjs in this directory)')
      .option('--project <name>', 'a named project of the config file')
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
      .option(
        '--before-command <cmd>',
        'shell script run in each container before the test; stops at its first failing line, which is shown',
      )
      .option('--prepare <cmd>', 'shell script run once before any test, with a fresh /job that tests see read-only')
      .option(
        '--sync',
        'send this project tree (minus .gitignore and .baleenignore) with the run: containers test what is on your disk',
      )
      .option('--mount-workspace', 'bind-mount this project read-only at --work-dir instead (a local engine only)')
      .option(
        '--env <K=V>',
        'environment variable for the containers (repeatable; --env K passes this shell’s K)',
        collect,
        [],
      )
      .option('--env-file <file>', 'KEY=VALUE lines for the containers (repeatable; --env wins)', collect, [])
      .option('--build <dir>', 'build the image from this directory first (on this machine’s engine), log shown')
      .option('--dockerfile <file>', 'Dockerfile for --build, relative to its directory')
      .option('--build-arg <K=V>', 'build argument for --build (repeatable)', collect, [])
      .option('--tag <name>', 'name of the image --build makes (default: --image, else baleen-build-DIR)')
      .addOption(
        new Option('--pull <when>', 'pull the image: when the engine lacks it, every run, or never')
          .choices(PULL_POLICIES)
          .default('missing'),
      )
      // The container, as `docker run` spells it.
      .option('--memory <size>', 'memory limit per container, e.g. 512m (no extra swap); past it: oom')
      .option('--cpus <n>', 'CPUs per container, e.g. 1.5', positiveNumber)
      .option('--cpuset-cpus <list>', 'CPUs the containers may use, e.g. 0-3 or 0,2')
      .option('--pids-limit <n>', 'processes per container', positiveInt)
      .option('--network <name>', 'none | bridge | host | a network name (the server decides what is allowed)')
      .option('--privileged', 'privileged containers (only where the server allows it)')
      .option('--user <user>', 'user[:group] or uid[:gid] the test runs as')
      .option('--hostname <name>', 'host name inside the containers')
      .option('--entrypoint <path>', 'replace the image’s entrypoint; the test command becomes its arguments')
      .option('--shm-size <size>', 'size of /dev/shm, e.g. 256m')
      .option('--gpus <spec>', 'GPUs: all, a count, or device=0,1')
      .option('--volume <spec>', 'HOST:CONTAINER[:ro] (repeatable; only where the server allows it)', collect, [])
      .option('--tmpfs <spec>', 'PATH[:OPTIONS] tmpfs mount (repeatable)', collect, [])
      .option('--read-only', 'read-only root file system')
      .option(
        '--publish <spec>',
        'CONTAINER[:HOST][/udp] port to publish (repeatable); bound host ports are shown per file',
        collect,
        [],
      )
      .option('--keep', 'debugging: do not remove the containers; the output says which were kept')
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
        new Option('--order <order>', 'start order: longest first by the suite’s history, as given, or shuffled')
          .choices(RUN_ORDERS)
          .default('timing'),
      )
      .option('--seed <n>', 'seed for --order random, printed by every random run', nonNegativeInt)
      .option(
        '--history <file>',
        'the project’s own suite history, for an embedded server (a shared server keeps its own)',
        DEFAULT_HISTORY_FILE,
      )
      .option('--suite <name>', 'the history this run belongs to on the server (default: the image’s repository)')
      .option(
        '--reporter <names>',
        'what to report, comma-separated: list, github, json (cucumber: junit, html, messages too); default: list, plus github on GitHub Actions and junit on GitLab CI',
      )
      .option(
        '--last-failed',
        'run only the files (cucumber: the scenarios) that did not pass in the suite’s previous run; exit 2 if there are none',
      )
      .option(
        '--otel-endpoint <url>',
        'send a span per run, file and scenario (OpenTelemetry, OTLP/HTTP) to this collector, e.g. http://localhost:4318',
      )
      .option('--json <file>', 'write a JSON summary of the run (every file’s status, attempts, exit codes, output)')
      .option('--show-output', 'print the output of passed files too, not only of those that did not pass')
      .addHelpText('after', EXIT_HELP)
  );
}

/**
 * A reader that goes away (`baleen ... | head -3`) is a Ctrl-C: the run is cancelled and its containers removed,
 * quietly. Writes after that go nowhere; without this listener the first one would crash the process (EPIPE).
 */
const stdoutGone = new Set<() => void>();
let stdoutClosed = false;
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE' || stdoutClosed) return;
  stdoutClosed = true;
  for (const handler of stdoutGone) handler();
});

const io = {
  stdout: process.stdout,
  stderr: process.stderr,
  cwd: process.cwd(),
  onInterrupt: (handler: () => void) => {
    process.on('SIGINT', handler);
    stdoutGone.add(handler);
    return () => {
      process.off('SIGINT', handler);
      stdoutGone.delete(handler);
    };
  },
};

/**
 * Flags win over the config file, the config file over the defaults: a setting from the file is applied only
 * where the flag was not given on the command line.
 */
async function withConfig(command: Command): Promise<Partial<TestOptions> & { command?: string[] }> {
  const given = command.opts<{ config?: string; project?: string }>();
  const { settings } = await loadProjectConfig({
    cwd: io.cwd,
    ...(given.config === undefined ? {} : { file: given.config }),
    ...(given.project === undefined ? {} : { project: given.project }),
  });
  for (const [key, value] of Object.entries(settings)) {
    if (key === 'command') continue;
    if (command.getOptionValueSource(key) !== 'cli') command.setOptionValueWithSource(key, value, 'config');
  }
  return {
    ...command.opts<Partial<TestOptions>>(),
    ...(settings.command === undefined ? {} : { command: settings.command }),
  };
}

async function runAction(command: Command, kind: (options: TestOptions & { command?: string[] }) => TestKind) {
  let options: Partial<TestOptions> & { command?: string[] };
  try {
    options = await withConfig(command);
  } catch (error) {
    if (!isBaleenError(error)) throw error;
    process.stderr.write(`baleen: ${error.message}\n`);
    process.exitCode = EXIT.error;
    return;
  }
  if (options.image === undefined && options.build === undefined) {
    process.stderr.write('baleen: no image — pass --image IMAGE or --build DIR (or set "image" in the config file)\n');
    process.exitCode = EXIT.error;
    return;
  }
  const image = options.image ?? builtImageName(options, io.cwd);
  const complete = { ...options, image } as TestOptions & { command?: string[] };
  process.exitCode = await testCommand(kind(complete), complete, io);
}

addRunOptions(
  program
    .command('cucumber')
    .description('run each cucumber feature file in its own container')
    .usage('--image IMAGE [--files PATH...] [options] [-- cucumber-js args]'),
)
  .option('--features <paths...>', 'alias of --files (the original baleen’s name)')
  .option(
    '--pack <seconds|auto>',
    'run several feature files in one container, about this many seconds each, so start-up is paid once (files of a pack share a process); auto: about one pack per slot',
    packOption,
  )
  .addOption(
    new Option('--split <mode>', 'split a file that would hold the run up into containers of its scenarios')
      .choices(SPLIT_MODES)
      .default('auto'),
  )
  .option(
    '--pass-with-no-scenarios',
    'exit 0 when no scenario matches the tags and names (by default that is exit 2: a run that tested nothing)',
  )
  .option('--cucumber-bin <path>', 'cucumber-js executable, relative to the work dir', DEFAULT_CUCUMBER_BIN)
  .option('--messages <file>', 'write one cucumber message stream (NDJSON) for the whole run')
  .option('--junit <file>', 'write a JUnit XML report (a testcase per scenario)')
  .option('--html <file>', 'write cucumber’s HTML report for the whole run')
  .argument('[cucumber-args...]', 'arguments for cucumber-js after --, e.g. -- --tags @smoke')
  .action(async (cucumberArgs: string[], _options: unknown, command: Command) => {
    await runAction(command, (options) => cucumberKind(options.cucumberBin, cucumberArgs));
  });

addRunOptions(
  program
    .command('run')
    .description('run each test file in its own container with any command: node --test, pytest, go test...')
    .usage('--image IMAGE --files GLOB... [options] -- COMMAND [ARG...] [{file}]'),
)
  .argument('[command...]', 'the test command after --; {file} marks where the file goes (default: last)')
  .action(async (argv: string[], _options: unknown, command: Command) => {
    await runAction(command, (options) => runKind(argv.length > 0 ? argv : (options.command ?? [])));
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
