import { BaleenError, type ContainerRequest } from '@baleen/protocol';
import { discoverFiles } from '../discovery/discover-files.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import type { Colors } from '../report/colors.js';
import type { ReporterChoice } from '../report/reporters.js';
import type { RunRequest } from '../run/run-request.js';
import { scanWorkspace, type ScannedWorkspace } from '../sync/scan-workspace.js';
import { buildBeforeRun } from './build-option.js';
import { containerRequestFrom, environmentFrom } from './container-options.js';
import { planCucumber, type CucumberPlan } from './cucumber-plan.js';
import { lastFailedInputs } from './last-failed-inputs.js';
import { checkReportTargets, checkRequest } from './preflight.js';
import { reportingFor } from './reporting-options.js';
import { givenValue, runRequestFrom } from './run-request-from.js';
import { serverConnectionFrom, type ServerConnectionOptions } from './server-connection-from.js';
import type { CommandIo, TestKind, TestOptions } from './test-options.js';

/** Everything a run needs, found and checked before the first connection or container. */
export interface PreparedRun {
  /** The options with report files filled in and the image --build made. */
  options: TestOptions;
  request: RunRequest;
  /** The files to run, in the order found (the server orders them). */
  files: string[];
  cucumber: CucumberPlan | undefined;
  reporting: ReporterChoice;
  connection: ServerConnectionOptions;
  workspace: ScannedWorkspace | undefined;
}

/**
 * From the options to a checked run: --last-failed's targets, the reporters and their files, discovery (cucumber's
 * own for `baleen cucumber`), the environment and container request, --build, the request against the protocol's
 * limits, and the --sync scan. Bad input throws a BaleenError naming the flag; a run with nothing to do returns
 * its exit code instead.
 */
export async function prepareRun(
  kind: TestKind,
  given: TestOptions,
  io: CommandIo,
  colors: Colors,
): Promise<PreparedRun | { done: ExitCode }> {
  if (kind.cucumber === undefined && (kind.command ?? []).length === 0) {
    throw new BaleenError('USAGE', `baleen ${kind.name} needs the test command after --, e.g. -- node --test {file}`);
  }
  const connection = await serverConnectionFrom(given, io.cwd);
  let inputs = [...(given.files ?? []), ...(given.features ?? [])];
  if (given.lastFailed === true) {
    const rerun = await lastFailedInputs(kind, given, connection, io, colors);
    if (!Array.isArray(rerun)) return { done: rerun };
    inputs = rerun;
  }
  // cucumber finds its own feature files (the config's paths, else features/); any other runner is told.
  if (inputs.length === 0 && kind.cucumber === undefined) {
    throw new BaleenError('USAGE', 'no test files given — pass --files PATH... (a directory, a glob or a file)');
  }

  const { reporting, options: withReports } = reportingFor(kind, given);
  let options = withReports;
  await checkReportTargets(options, io.cwd);

  let files: string[];
  let cucumber: CucumberPlan | undefined;
  if (kind.cucumber === undefined) {
    files = await discoverFiles(inputs, { cwd: io.cwd, directoryPattern: kind.directoryPattern });
  } else {
    cucumber = await planCucumber({ cwd: io.cwd, files: inputs, ...kind.cucumber });
    files = cucumber.files;
    for (const warning of cucumber.warnings) io.stderr.write(`baleen: ${warning}\n`);
  }
  const env = await environmentFrom(options.envFile ?? [], options.env, io.cwd);
  const container: ContainerRequest | undefined = containerRequestFrom(mountWorkspace(options, io.cwd), io.cwd);
  if (cucumber !== undefined && files.length === 0) return { done: noScenarios(cucumber, options, io, colors) };

  if (options.build !== undefined) {
    io.stdout.write(colors.dim(`baleen: building ${options.build} on this machine's Docker engine\n`));
    const image = await buildBeforeRun({ ...options, build: options.build }, io.cwd, (line) => {
      io.stdout.write(`${colors.dim('build │')} ${line}\n`);
    });
    options = { ...options, image };
    io.stdout.write(colors.dim(`baleen: built ${image}\n`));
  }

  const request = runRequestFrom(kind, options, { files, cucumber, container, env });
  // Everything the server would refuse is checked before anything starts, each problem named by its flag.
  checkRequest(request, (flag) => givenValue(options, flag));

  let workspace: ScannedWorkspace | undefined;
  if (options.sync === true) {
    workspace = await scanWorkspace(io.cwd);
    for (const skipped of workspace.skipped) io.stderr.write(`baleen: --sync leaves out ${skipped}\n`);
  }
  return { options, request, files, cucumber, reporting, connection, workspace };
}

/** Nothing matched the filters: exit 2 naming them, unless the user said that is fine. */
function noScenarios(plan: CucumberPlan, options: TestOptions, io: CommandIo, colors: Colors): ExitCode {
  const checked = plan.noMatch.length;
  const what = `no scenario matches ${plan.filterText} in ${checked} feature file${checked === 1 ? '' : 's'}`;
  for (const line of plan.banner) io.stdout.write(colors.dim(`baleen: ${line}\n`));
  if (options.passWithNoScenarios === true) {
    io.stdout.write(`baleen: ${what}; nothing to run (--pass-with-no-scenarios)\n`);
    return EXIT.passed;
  }
  io.stderr.write(
    `baleen: ${what} — nothing was run. Check the tags or names, or pass --pass-with-no-scenarios if that is expected\n`,
  );
  return EXIT.error;
}

/** --mount-workspace: this project, read-only, where the image expects it (needs --work-dir to say where). */
function mountWorkspace(options: TestOptions, cwd: string): TestOptions {
  if (options.mountWorkspace !== true) return options;
  if (options.sync === true) throw new BaleenError('USAGE', '--sync and --mount-workspace do the same job: use one');
  if (options.workDir === undefined) {
    throw new BaleenError('USAGE', '--mount-workspace needs --work-dir: where the project sits in the image');
  }
  return { ...options, volume: [...(options.volume ?? []), `${cwd}:${options.workDir}:ro`] };
}
