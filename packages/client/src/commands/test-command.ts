import { isBaleenError } from '@baleen/protocol';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { chooseLiveView } from '../report/choose-live-view.js';
import { colorsFor, outputWidth } from '../report/colors.js';
import { wrapText } from '../report/format.js';
import { runBanner, runNotes } from '../report/run-notes.js';
import { ScenarioResults } from '../report/scenario-results.js';
import { StartupWatch } from '../report/startup-watch.js';
import type { RunResult } from '../run/run-on-server.js';
import { runTests } from '../run/run-tests.js';
import { startRunTracer } from '../telemetry/run-tracer.js';
import { cancelOnInterrupt } from './cancel-on-interrupt.js';
import { prepareRun } from './prepare-run.js';
import { reportOutcome } from './report-outcome.js';
import type { CommandIo, TestKind, TestOptions } from './test-options.js';

/**
 * `baleen cucumber` and `baleen run`: prepare and check the run (prepare-run), run it with a live view and two-stage
 * Ctrl-C, then write the reports and pick the exit code (report-outcome). Bad input ends here as exit 2 with its
 * message, before anything starts.
 */
export async function testCommand(kind: TestKind, given: TestOptions, io: CommandIo): Promise<ExitCode> {
  const colors = colorsFor(io.stdout);
  const fail = (error: Error): ExitCode => {
    io.stderr.write(`baleen: ${error.message}\n`);
    return EXIT.error;
  };
  let prepared: Awaited<ReturnType<typeof prepareRun>>;
  try {
    prepared = await prepareRun(kind, given, io, colors);
  } catch (error) {
    if (isBaleenError(error)) return fail(error);
    throw error;
  }
  if ('done' in prepared) return prepared.done;
  const { options, request, files, cucumber, reporting, connection, workspace } = prepared;

  const width = outputWidth(io.stdout);
  const banner = runBanner(
    {
      ...options,
      files: files.length,
      cucumberLines: cucumber?.banner ?? [],
      ...(reporting.source === 'default'
        ? {}
        : { reporters: { names: [...reporting.reporters], source: reporting.source } }),
    },
    width,
  );
  for (const line of banner) io.stdout.write(`${colors.dim(line)}\n`);

  const view = chooseLiveView(io.stdout, colors, {
    list: reporting.reporters.has('list'),
    concurrency: options.concurrency,
  });
  const cancellation = cancelOnInterrupt(io, view, colors, options.server);
  const scenarios = new ScenarioResults();
  const startupWatch = new StartupWatch(files.length, options.concurrency, options.pack !== undefined);
  const tracer = await startRunTracer({
    ...(options.otelEndpoint === undefined ? {} : { endpoint: options.otelEndpoint }),
    ...(process.env['TRACEPARENT'] === undefined ? {} : { parent: process.env['TRACEPARENT'] }),
    suite: options.suite ?? options.image,
    image: options.image,
    files,
  });
  const startedAt = new Date();
  let result: RunResult | undefined;
  let failure: unknown;
  try {
    result = await runTests({
      ...request,
      ...connection,
      traceparent: tracer.traceparent,
      ...(workspace === undefined ? {} : { workspace }),
      signal: cancellation.signal,
      onEvent: (event) => {
        cancellation.onEvent(event);
        for (const line of runNotes(event, options, colors)) view.note(line);
        scenarios.onEvent(event);
        tracer.onEvent(event);
        view.onEvent(event);
        // After the file's own line, which it is about.
        const startupNote = startupWatch.onEvent(event);
        if (startupNote !== undefined) view.note(colors.yellow(wrapText(startupNote, width)));
      },
    });
  } catch (error) {
    failure = error;
  }
  view.stop();
  cancellation.stop();
  const traceProblem = await tracer.finish(result);
  if (traceProblem !== undefined) io.stderr.write(`baleen: ${traceProblem}\n`);
  if (result === undefined) {
    if (!isBaleenError(failure)) throw failure;
    return cancellation.interrupted() ? EXIT.interrupted : fail(failure);
  }
  return reportOutcome(prepared, result, {
    io,
    colors,
    width,
    startedAt,
    interrupted: cancellation.interrupted(),
    scenarios,
  });
}
