import { EXIT, type ExitCode } from '../exit-codes.js';
import type { Colors } from '../report/colors.js';
import { shownStatus } from '../report/format.js';
import { readOnlyWorkspaceHint } from '../report/read-only-hint.js';
import { reportToGithub } from '../report/github/github-reporter.js';
import { outputGroup } from '../report/github/output-group.js';
import type { ScenarioResults } from '../report/scenario-results.js';
import { renderSummary } from '../report/summary.js';
import { writeRunReports } from '../report/write-run-reports.js';
import { exitCodeFor } from '../run/exit-code.js';
import type { RunResult } from '../run/run-on-server.js';
import type { PreparedRun } from './prepare-run.js';
import type { CommandIo } from './test-options.js';

export interface OutcomeContext {
  io: CommandIo;
  colors: Colors;
  width: number | undefined;
  startedAt: Date;
  interrupted: boolean;
  /** Every scenario's result as it streamed, for the CI reporters. */
  scenarios: ScenarioResults;
}

/**
 * After the run: the report files, the prepare stage if it failed, the summary, the CI's own reporting, and the
 * exit code. A report CI reads that could not be written makes the run an error, even when every file passed.
 */
export async function reportOutcome(run: PreparedRun, result: RunResult, context: OutcomeContext): Promise<ExitCode> {
  const { io, colors, width } = context;
  const { options, files, cucumber } = run;
  const reports = await writeRunReports(options, files, result, {
    cwd: io.cwd,
    startedAt: context.startedAt,
    ...(cucumber === undefined ? {} : { expected: (file: string) => cucumber.scenarios.get(file)?.scenarios }),
  });
  if (result.finished.status === 'error') {
    io.stderr.write(`baleen: ${result.finished.error?.message ?? 'the run failed before any file ran'}\n`);
    return EXIT.error;
  }
  printPrepareStage(result, io, colors);

  const rows = files.map((file, index) => ({
    file,
    result: result.files[index],
    attempts: result.attempts[index] ?? [],
  }));
  const github = run.reporting.reporters.has('github');
  io.stdout.write(
    '\n' +
      renderSummary(
        {
          rows,
          totals: result.finished.totals,
          wallTimeMs: result.finished.wallTimeMs,
          showAllOutput: options.showOutput === true,
          noMatch: cucumber?.noMatch ?? [],
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
      { rows, result, scenarios: context.scenarios, files },
    );
  }
  const readOnly = readOnlyWorkspaceHint(options.mountWorkspace === true, result.files);
  if (readOnly !== undefined) io.stderr.write(`baleen: ${readOnly}\n`);
  for (const file of reports.written) io.stdout.write(colors.dim(`report written: ${file}\n`));
  for (const { file, reason } of reports.failed)
    io.stderr.write(`baleen: could not write the report ${file}: ${reason}\n`);
  if (result.planned?.order === 'random' && result.planned.seed !== undefined) {
    io.stdout.write(colors.dim(`order: random, reproduce with --order random --seed ${result.planned.seed}\n`));
  }
  const code = exitCodeFor(result, context.interrupted, { failOnFlaky: options.failOnFlaky === true });
  return reports.failed.length > 0 && code === EXIT.passed ? EXIT.error : code;
}

/** A --prepare stage that did not pass: why, and what it printed. */
function printPrepareStage(result: RunResult, io: CommandIo, colors: Colors): void {
  const prepare = result.prepare;
  if (prepare === undefined || prepare.status === 'passed') return;
  io.stdout.write(colors.bold(`\nprepare stage ${prepare.status}: ${prepare.error?.message ?? ''}\n`));
  if (prepare.stdout.length > 0)
    io.stdout.write(`${colors.dim('--- prepare stdout ---')}\n${prepare.stdout.trimEnd()}\n`);
  if (prepare.stderr.length > 0)
    io.stdout.write(`${colors.dim('--- prepare stderr ---')}\n${prepare.stderr.trimEnd()}\n`);
}
