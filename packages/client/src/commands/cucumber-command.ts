import { isBaleenError, type BaleenError } from '@baleen/protocol';
import { discoverFiles } from '../discovery/discover-files.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { colorsFor } from '../report/colors.js';
import { writeJsonReport } from '../report/json-report.js';
import { plainLiveView, terminalLiveView, type LiveView } from '../report/live-view.js';
import { renderSummary } from '../report/summary.js';
import type { RunResult } from '../run/run-on-server.js';
import { runTests } from '../run/run-tests.js';
import { parseEnvOptions } from './env-option.js';

export interface CucumberOptions {
  image: string;
  files?: string[];
  features?: string[];
  server?: string;
  concurrency: number;
  timeout: number;
  workDir?: string;
  beforeCommand?: string;
  env: string[];
  cucumberBin: string;
  maxOutputBytes?: number;
  json?: string;
  showOutput?: boolean;
}

export interface CommandIo {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  cwd: string;
  /** Registers the Ctrl-C handler; returns a function that removes it. */
  onInterrupt: (handler: () => void) => () => void;
}

export function exitCodeFor(result: RunResult, interrupted: boolean): ExitCode {
  const { status, totals } = result.finished;
  if (interrupted || status === 'cancelled') return EXIT.interrupted;
  if (status === 'error' || totals.error > 0 || totals.notRun > 0) return EXIT.error;
  if (totals.failed > 0 || totals.timedOut > 0 || totals.cancelled > 0) return EXIT.failed;
  // Never a green run that tested nothing: discovery refuses an empty list, and this refuses an empty result.
  return totals.passed > 0 && totals.passed === totals.files ? EXIT.passed : EXIT.error;
}

/** `baleen cucumber`: discover feature files, run each in its own container, report, and pick the exit code. */
export async function cucumberCommand(
  options: CucumberOptions,
  cucumberArgs: string[],
  io: CommandIo,
): Promise<ExitCode> {
  const colors = colorsFor(io.stdout);
  const fail = (error: BaleenError | Error): ExitCode => {
    io.stderr.write(`baleen: ${error.message}\n`);
    return EXIT.error;
  };
  const inputs = [...(options.files ?? []), ...(options.features ?? [])];
  if (inputs.length === 0)
    return fail(new Error('no test files given — pass --files PATH... (a directory, a glob or a file)'));

  let files: string[];
  let env: Record<string, string>;
  try {
    files = await discoverFiles(inputs, { cwd: io.cwd, directoryPattern: '**/*.feature' });
    env = parseEnvOptions(options.env);
  } catch (error) {
    if (isBaleenError(error)) return fail(error);
    throw error;
  }

  const cancel = new AbortController();
  // An object, not a let: it changes in a signal handler between awaits.
  const state = { interrupted: false };
  const where = options.server ?? 'an embedded server';
  io.stdout.write(
    colors.dim(
      `baleen: ${files.length} file${files.length === 1 ? '' : 's'} · image ${options.image} · ${where} · ` +
        `concurrency ${options.concurrency} · timeout ${options.timeout}s\n`,
    ),
  );
  const view: LiveView = io.stdout.isTTY ? terminalLiveView(io.stdout, colors) : plainLiveView(io.stdout, colors);
  const removeInterrupt = io.onInterrupt(() => {
    if (state.interrupted) {
      io.stderr.write('baleen: interrupted again — exiting without waiting for containers to be removed\n');
      process.exit(EXIT.interrupted);
    }
    state.interrupted = true;
    view.note(colors.yellow('cancelling: stopping and removing this run’s containers (Ctrl-C again to quit at once)'));
    cancel.abort();
  });

  let result: RunResult;
  try {
    result = await runTests({
      image: options.image,
      files,
      command: [options.cucumberBin, ...cucumberArgs],
      ...(options.workDir === undefined ? {} : { workDir: options.workDir }),
      timeoutSeconds: options.timeout,
      concurrency: options.concurrency,
      env,
      ...(options.beforeCommand === undefined ? {} : { beforeCommand: options.beforeCommand }),
      ...(options.maxOutputBytes === undefined ? {} : { maxOutputBytes: options.maxOutputBytes }),
      ...(options.server === undefined ? {} : { server: options.server }),
      signal: cancel.signal,
      onEvent: (event) => {
        if (event.type === 'run-accepted') view.note(colors.dim(`run ${event.message.runId} accepted`));
        view.onEvent(event);
      },
    });
  } catch (error) {
    view.stop();
    removeInterrupt();
    if (isBaleenError(error)) return state.interrupted ? EXIT.interrupted : fail(error);
    throw error;
  }
  view.stop();
  removeInterrupt();

  if (options.json !== undefined) await writeJsonReport(options.json, files, result);
  if (result.finished.status === 'error') {
    return fail(new Error(result.finished.error?.message ?? 'the run failed before any file ran'));
  }
  io.stdout.write(
    '\n' +
      renderSummary(
        {
          files,
          results: result.files,
          totals: result.finished.totals,
          wallTimeMs: result.finished.wallTimeMs,
          showAllOutput: options.showOutput === true,
        },
        colors,
      ),
  );
  return exitCodeFor(result, state.interrupted);
}
