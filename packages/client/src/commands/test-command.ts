import { readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  BaleenError,
  isBaleenError,
  type ContainerRequest,
  type PullPolicy,
  type RunOrder,
  type RunPlannedMessage,
  type SplitMode,
} from '@baleen/protocol';
import { discoverFiles } from '../discovery/discover-files.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { colorsFor, isDumbTerminal, outputWidth } from '../report/colors.js';
import { shownStatus, wrapText } from '../report/format.js';
import { dashboardLink } from '../report/dashboard-link.js';
import { plainLiveView, STILL_RUNNING_EVERY_MS, terminalLiveView, type LiveView } from '../report/live-view.js';
import { renderSummary } from '../report/summary.js';
import { reportToGithub } from '../report/github/github-reporter.js';
import { outputGroup } from '../report/github/output-group.js';
import {
  chooseReporters,
  CUCUMBER_REPORTERS,
  DEFAULT_REPORT_FILES,
  parseReporters,
  REPORTERS,
  type ReporterChoice,
} from '../report/reporters.js';
import { ScenarioResults } from '../report/scenario-results.js';
import { writeRunReports } from '../report/write-run-reports.js';
import { exitCodeFor } from '../run/exit-code.js';
import type { RunResult } from '../run/run-on-server.js';
import { runTests } from '../run/run-tests.js';
import { askLastFailed } from '../run/ask-last-failed.js';
import { startRunTracer } from '../telemetry/run-tracer.js';
import { selectLastFailed, type LastFailedSelection } from './last-failed-selection.js';
import { buildBeforeRun, type BuildFlags } from './build-option.js';
import { containerRequestFrom, environmentFrom, type ContainerFlags } from './container-options.js';
import { scanWorkspace, type ScannedWorkspace } from '../sync/scan-workspace.js';
import { formatBytes } from '../sync/format-bytes.js';
import { planCucumber, type CucumberPlan } from './cucumber-plan.js';
import { watchInterrupts } from './interrupt-watcher.js';
import { checkReportTargets, checkRequest } from './preflight.js';
import { givenValue, runRequestFrom } from './run-request-from.js';

/** The options of `baleen cucumber` and `baleen run`, after the config file and the flags are merged. */
export interface TestOptions extends ContainerFlags, BuildFlags {
  image: string;
  files?: string[];
  features?: string[];
  server?: string;
  concurrency: number;
  timeout: number;
  workDir?: string;
  beforeCommand?: string;
  env: string[];
  envFile?: string[];
  prepare?: string;
  sync?: boolean;
  mountWorkspace?: boolean;
  pull?: PullPolicy;
  cucumberBin?: string;
  maxOutputBytes?: number;
  retries: number;
  failFast?: boolean;
  failOnFlaky?: boolean;
  passWithNoScenarios?: boolean;
  pack?: number;
  split?: SplitMode;
  suite?: string;
  order: RunOrder;
  seed?: number;
  /** The project's history database (the embedded server's), next to the project. */
  history: string;
  json?: string;
  messages?: string;
  junit?: string;
  html?: string;
  showOutput?: boolean;
  /** Run only what did not pass in the suite's previous run. */
  lastFailed?: boolean;
  /** OTLP/HTTP endpoint: a span per run, file and scenario is sent there. */
  otelEndpoint?: string;
  /** `--reporter list,github,junit` (a config file may give a list); default: detected from the CI. */
  reporter?: string | string[];
  token?: string;
  ca?: string;
}

export interface CommandIo {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  cwd: string;
  /** Registers the Ctrl-C handler; returns a function that removes it. */
  onInterrupt: (handler: () => void) => () => void;
}

/** What differs between test runners: which files a directory holds and how one file is run. */
export interface TestKind {
  /** For messages: `cucumber` or `run`. */
  name: string;
  /** Files searched for when an input is a directory. */
  directoryPattern: string;
  /** `baleen run`: argv of the test command; `{file}` marks where the file goes, else it is appended. */
  command?: string[];
  /** `baleen cucumber`: cucumber-js's bin and the arguments after `--`. */
  cucumber?: { bin: string; args: string[] };
}

/** Discover the files, run each in its own container, report, and pick the exit code. */
export async function testCommand(kind: TestKind, options: TestOptions, io: CommandIo): Promise<ExitCode> {
  const colors = colorsFor(io.stdout);
  const fail = (error: BaleenError | Error): ExitCode => {
    io.stderr.write(`baleen: ${error.message}\n`);
    return EXIT.error;
  };
  if (kind.cucumber === undefined && (kind.command ?? []).length === 0) {
    return fail(new Error(`baleen ${kind.name} needs the test command after --, e.g. -- node --test {file}`));
  }
  let inputs = [...(options.files ?? []), ...(options.features ?? [])];
  if (options.lastFailed === true) {
    let selection: LastFailedSelection;
    try {
      selection = await lastFailedTargets(kind, options, io.cwd);
    } catch (error) {
      if (isBaleenError(error)) return fail(error);
      throw error;
    }
    if (selection.nothing !== undefined) {
      if (options.passWithNoScenarios === true) {
        io.stdout.write(`baleen: --last-failed: ${selection.nothing} (--pass-with-no-scenarios)\n`);
        return EXIT.passed;
      }
      io.stderr.write(
        `baleen: --last-failed: ${selection.nothing}; pass --pass-with-no-scenarios if that is expected\n`,
      );
      return EXIT.error;
    }
    if (inputs.length > 0) io.stderr.write('baleen: --last-failed replaces the files given: it reruns what failed\n');
    io.stdout.write(colors.dim(`baleen: ${selection.said}\n`));
    inputs = selection.targets;
  }
  // cucumber finds its own feature files (the config's paths, else features/); any other runner is told.
  if (inputs.length === 0 && kind.cucumber === undefined)
    return fail(new Error('no test files given — pass --files PATH... (a directory, a glob or a file)'));

  let reporting: ReporterChoice;
  try {
    checkOtelEndpoint(options.otelEndpoint);
    reporting = reportersFor(kind, options);
    options = withReportFiles(options, reporting);
    await checkReportTargets(options, io.cwd);
  } catch (error) {
    if (isBaleenError(error)) return fail(error);
    throw error;
  }
  const github = reporting.reporters.has('github');

  let discovered: string[];
  let cucumber: CucumberPlan | undefined;
  let env: Record<string, string>;
  let container: ContainerRequest | undefined;
  try {
    if (kind.cucumber === undefined) {
      discovered = await discoverFiles(inputs, { cwd: io.cwd, directoryPattern: kind.directoryPattern });
    } else {
      cucumber = await planCucumber({ cwd: io.cwd, files: inputs, ...kind.cucumber });
      discovered = cucumber.files;
      for (const warning of cucumber.warnings) io.stderr.write(`baleen: ${warning}\n`);
    }
    env = await environmentFrom(options.envFile ?? [], options.env, io.cwd);
    container = containerRequestFrom(mountWorkspace(options, io.cwd), io.cwd);
  } catch (error) {
    if (isBaleenError(error)) return fail(error);
    throw error;
  }
  if (cucumber !== undefined && discovered.length === 0) return noScenarios(cucumber, options, io, colors);

  if (options.build !== undefined) {
    io.stdout.write(colors.dim(`baleen: building ${options.build} on this machine's Docker engine\n`));
    try {
      options = {
        ...options,
        image: await buildBeforeRun({ ...options, build: options.build }, io.cwd, (line) => {
          io.stdout.write(`${colors.dim('build │')} ${line}\n`);
        }),
      };
    } catch (error) {
      if (isBaleenError(error)) return fail(error);
      throw error;
    }
    io.stdout.write(colors.dim(`baleen: built ${options.image}\n`));
  }

  const request = runRequestFrom(kind, options, { files: discovered, cucumber, container, env });
  try {
    // Everything the server would refuse, and every report path, is checked before anything starts.
    checkRequest(request, (flag) => givenValue(options, flag));
  } catch (error) {
    if (isBaleenError(error)) return fail(error);
    throw error;
  }

  let workspace: ScannedWorkspace | undefined;
  if (options.sync === true) {
    workspace = await scanWorkspace(io.cwd);
    for (const skipped of workspace.skipped) io.stderr.write(`baleen: --sync leaves out ${skipped}\n`);
  }

  const token = options.token ?? process.env['BALEEN_TOKEN'];
  // The order is the server's to decide, from the suite's history (an embedded server's is the project's own).
  const files = discovered;

  const cancel = new AbortController();
  // An object, not a let: it changes in a signal handler between awaits.
  const state = { interrupted: false };
  const where = options.server ?? 'an embedded server';
  const order =
    options.order === 'random' && options.seed !== undefined
      ? `random order (--seed ${options.seed})`
      : `${options.order} order`;
  const width = outputWidth(io.stdout);
  io.stdout.write(
    colors.dim(
      wrapText(
        `baleen: ${files.length} file${files.length === 1 ? '' : 's'} · image ${options.image} · ${where} · ` +
          `concurrency ${options.concurrency} · timeout ${options.timeout}s · ${order}` +
          `${options.retries > 0 ? ` · retries ${options.retries}` : ''}${options.failFast === true ? ' · fail-fast' : ''}`,
        width,
      ) + '\n',
    ),
  );
  for (const line of cucumber?.banner ?? []) io.stdout.write(colors.dim(`${wrapText(`baleen: ${line}`, width)}\n`));
  if (reporting.source !== 'default') {
    const names = [...reporting.reporters].join(', ');
    io.stdout.write(colors.dim(`baleen: reporters ${names} (${reporting.source})\n`));
  }
  const live = io.stdout.isTTY && !isDumbTerminal();
  const view: LiveView = !reporting.reporters.has('list')
    ? notesOnlyView(io.stdout)
    : live
      ? terminalLiveView(io.stdout, colors, options.concurrency)
      : plainLiveView(io.stdout, colors, { stillRunningEveryMs: stillRunningEveryMs() });
  const scenarios = new ScenarioResults();
  // Containers running now, by file index: what a second Ctrl-C leaves behind.
  const running = new Map<number, string>();
  let runId: string | undefined;
  const removeInterrupt = watchInterrupts(io.onInterrupt, {
    first: () => {
      state.interrupted = true;
      view.note(
        colors.yellow('cancelling: stopping and removing this run’s containers (Ctrl-C again to quit at once)'),
      );
      cancel.abort();
    },
    second: () => {
      const left = new Set(running.values()).size;
      const leftText =
        left === 0
          ? ''
          : ` — ${left} container${left === 1 ? '' : 's'} may be left: ` +
            (options.server === undefined
              ? 'the next baleen run on this machine removes them'
              : `the server removes them${runId === undefined ? '' : ` (run ${runId})`}`);
      io.stderr.write(`baleen: interrupted again, exiting without waiting for containers to be removed${leftText}\n`);
      process.exit(EXIT.interrupted);
    },
  });

  const tracer = await startRunTracer({
    ...(options.otelEndpoint === undefined ? {} : { endpoint: options.otelEndpoint }),
    ...(process.env['TRACEPARENT'] === undefined ? {} : { parent: process.env['TRACEPARENT'] }),
    suite: options.suite ?? options.image,
    image: options.image,
    files,
  });
  const finishTrace = async (finished: RunResult | undefined): Promise<void> => {
    const problem = await tracer.finish(finished);
    if (problem !== undefined) io.stderr.write(`baleen: ${problem}\n`);
  };
  let result: RunResult;
  const startedAt = new Date();
  try {
    result = await runTests({
      ...request,
      traceparent: tracer.traceparent,
      ...(options.server === undefined ? {} : { server: options.server }),
      historyFile: path.resolve(io.cwd, options.history),
      ...(token === undefined ? {} : { token }),
      ...(options.ca === undefined ? {} : { ca: await readFile(options.ca) }),
      ...(workspace === undefined ? {} : { workspace }),
      signal: cancel.signal,
      onEvent: (event) => {
        if (event.type === 'file-started') running.set(event.message.fileIndex, event.message.containerId);
        if (event.type === 'file-finished') running.delete(event.message.fileIndex);
        if (event.type === 'run-accepted') {
          runId = event.message.runId;
          const granted = event.message.concurrency;
          const capped =
            granted !== undefined && granted < options.concurrency
              ? ` — the server runs at most ${granted} of its containers at once (asked ${options.concurrency})`
              : '';
          view.note(colors.dim(`run ${event.message.runId} accepted${capped}`));
          const link = dashboardLink(options.server, event.message.dashboard);
          if (link !== undefined) view.note(`dashboard: ${link}`);
        }
        if (event.type === 'run-planned') {
          const line = plannedLine(event.message);
          if (line !== undefined) view.note(colors.dim(line));
        }
        if (event.type === 'workspace-synced') {
          const { files, bytes, sentFiles, sentBytes } = event.outcome;
          const sent =
            sentFiles === 0
              ? 'already on the server, sent only its hash'
              : sentFiles >= files
                ? `sent ${formatBytes(sentBytes)}`
                : `sent ${formatBytes(sentBytes)} (${sentFiles} file${sentFiles === 1 ? '' : 's'}), the rest was on the server`;
          view.note(colors.dim(`sync: ${files} files, ${formatBytes(bytes)} — ${sent}`));
        }
        scenarios.onEvent(event);
        tracer.onEvent(event);
        view.onEvent(event);
      },
    });
  } catch (error) {
    view.stop();
    removeInterrupt();
    await finishTrace(undefined);
    if (isBaleenError(error)) return state.interrupted ? EXIT.interrupted : fail(error);
    throw error;
  }
  view.stop();
  removeInterrupt();
  await finishTrace(result);

  const reports = await writeRunReports(options, files, result, {
    cwd: io.cwd,
    startedAt,
    ...(cucumber === undefined ? {} : { expected: (file: string) => cucumber.scenarios.get(file)?.scenarios }),
  });
  if (result.finished.status === 'error') {
    return fail(new Error(result.finished.error?.message ?? 'the run failed before any file ran'));
  }
  const prepare = result.prepare;
  if (prepare !== undefined && prepare.status !== 'passed') {
    io.stdout.write(colors.bold(`\nprepare stage ${prepare.status}: ${prepare.error?.message ?? ''}\n`));
    if (prepare.stdout.length > 0)
      io.stdout.write(`${colors.dim('--- prepare stdout ---')}\n${prepare.stdout.trimEnd()}\n`);
    if (prepare.stderr.length > 0)
      io.stdout.write(`${colors.dim('--- prepare stderr ---')}\n${prepare.stderr.trimEnd()}\n`);
  }
  const byFile = new Map(files.map((file, index) => [file, index]));
  const rows = discovered.map((file) => {
    const index = byFile.get(file) ?? -1;
    return { file, result: result.files[index], attempts: result.attempts[index] ?? [] };
  });
  const noMatch = cucumber?.noMatch ?? [];
  io.stdout.write(
    '\n' +
      renderSummary(
        {
          rows,
          totals: result.finished.totals,
          wallTimeMs: result.finished.wallTimeMs,
          showAllOutput: options.showOutput === true,
          noMatch,
          slots: options.concurrency,
          packed: options.pack !== undefined,
          ...(width === undefined ? {} : { width }),
          ...(github
            ? { wrapOutput: (file, block) => outputGroup(`${file.file} — ${shownStatus(file)} output`, block) }
            : {}),
        },
        colors,
      ),
  );
  if (github) {
    await reportToGithub(
      { stdout: io.stdout, stderr: io.stderr, cwd: io.cwd, env: process.env },
      { rows, result, scenarios, files },
    );
  }
  for (const file of reports.written) io.stdout.write(colors.dim(`report written: ${file}\n`));
  for (const { file, reason } of reports.failed)
    io.stderr.write(`baleen: could not write the report ${file}: ${reason}\n`);
  if (result.planned?.order === 'random' && result.planned.seed !== undefined) {
    io.stdout.write(colors.dim(`order: random, reproduce with --order random --seed ${result.planned.seed}\n`));
  }
  const code = exitCodeFor(result, state.interrupted, { failOnFlaky: options.failOnFlaky === true });
  // A report CI reads that could not be written is an error of the run's, even when every file passed.
  return reports.failed.length > 0 && code === EXIT.passed ? EXIT.error : code;
}

/** --last-failed: from the shared server (this token's runs), else from the project's history file. */
async function lastFailedTargets(kind: TestKind, options: TestOptions, cwd: string): Promise<LastFailedSelection> {
  const token = options.token ?? process.env['BALEEN_TOKEN'];
  const historyFile = path.resolve(cwd, options.history);
  const answer = await askLastFailed({
    historyFile,
    image: options.image,
    ...(options.server === undefined ? {} : { server: options.server }),
    ...(token === undefined ? {} : { token }),
    ...(options.ca === undefined ? {} : { ca: await readFile(options.ca) }),
    ...(options.suite === undefined ? {} : { suite: options.suite }),
  });
  const where = options.server === undefined ? `the project's history (${options.history})` : options.server;
  return selectLastFailed(answer, { cucumber: kind.cucumber !== undefined, where });
}

/** --otel-endpoint must be an http(s) URL (OTLP/HTTP). */
function checkOtelEndpoint(endpoint: string | undefined): void {
  if (endpoint === undefined) return;
  let url: URL | undefined;
  try {
    url = new URL(endpoint);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new BaleenError(
      'USAGE',
      `--otel-endpoint ${endpoint}: not an http(s) URL — give the collector's OTLP/HTTP address, e.g. http://localhost:4318`,
    );
  }
}

/** The reporters asked for (--reporter, the config file) or detected from the CI, checked against the runner. */
function reportersFor(kind: TestKind, options: TestOptions): ReporterChoice {
  const cucumber = kind.cucumber !== undefined;
  const allowed = REPORTERS.filter((name) => cucumber || !CUCUMBER_REPORTERS.has(name));
  const given = options.reporter === undefined ? undefined : parseReporters(options.reporter, allowed);
  return chooseReporters(given, process.env, cucumber);
}

/** A file reporter with no path from its flag writes to its default file. */
function withReportFiles(options: TestOptions, reporting: ReporterChoice): TestOptions {
  const filled = { ...options };
  for (const [name, file] of Object.entries(DEFAULT_REPORT_FILES) as [keyof typeof DEFAULT_REPORT_FILES, string][]) {
    if (reporting.reporters.has(name) && filled[name] === undefined) filled[name] = file;
  }
  return filled;
}

/** Without the `list` reporter: no line per file, only what the run says about itself. */
function notesOnlyView(out: NodeJS.WriteStream): LiveView {
  return { onEvent: () => undefined, note: (line) => out.write(`${line}\n`), stop: () => undefined };
}

/**
 * "order: timing, from the server's history (22 of 22 files known) · 3 packs (12 files share containers) ·
 * long.feature split in 3" — what the server decided before the first container.
 */
function plannedLine(planned: RunPlannedMessage): string | undefined {
  const { history } = planned;
  const from =
    history.source === 'none'
      ? 'no history yet'
      : `${history.source === 'server' ? "the server's" : "the project's"} history, ${history.known} of ${history.total} files known`;
  const parts: string[] = [planned.order === 'timing' ? `order: longest first by ${from}` : `order: ${planned.order}`];
  if (planned.packs > 0) {
    parts.push(
      `${planned.packs} pack${planned.packs === 1 ? '' : 's'} (${planned.packedFiles} files share containers)`,
    );
  }
  for (const split of planned.splits) parts.push(`${split.file} split in ${split.parts}`);
  parts.push(`${planned.containers} container${planned.containers === 1 ? '' : 's'}`);
  return parts.join(' · ');
}

/** How often a log says what still runs: a minute, or BALEEN_STILL_RUNNING_SECONDS (a CI with other habits). */
function stillRunningEveryMs(): number {
  const seconds = Number(process.env['BALEEN_STILL_RUNNING_SECONDS']);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : STILL_RUNNING_EVERY_MS;
}

/** Nothing matched the filters: exit 2 naming them, unless the user said that is fine. */
function noScenarios(
  plan: CucumberPlan,
  options: TestOptions,
  io: CommandIo,
  colors: ReturnType<typeof colorsFor>,
): ExitCode {
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
