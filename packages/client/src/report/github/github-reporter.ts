import { appendFile } from 'node:fs/promises';
import type { RunResult } from '../../run/run-on-server.js';
import type { ScenarioResults } from '../scenario-results.js';
import type { SummaryRow } from '../summary.js';
import { githubAnnotations } from './annotations.js';
import { renderStepSummary } from './step-summary.js';

export interface GithubOutput {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

export interface GithubRun {
  rows: readonly SummaryRow[];
  result: RunResult;
  scenarios: ScenarioResults;
  files: readonly string[];
}

/**
 * The end of a run on GitHub Actions: annotations on stdout, where the runner reads them, and the Markdown summary
 * appended to `$GITHUB_STEP_SUMMARY` (a summary that cannot be written is said, never the run's failure).
 */
export async function reportToGithub(out: GithubOutput, run: GithubRun): Promise<void> {
  const { result, scenarios, files } = run;
  const annotated = files.map((file, index) => ({ file, result: result.files[index], scenarios: scenarios.of(index) }));
  const workspace = out.env['GITHUB_WORKSPACE'] ?? out.cwd;
  for (const line of githubAnnotations(annotated, { cwd: out.cwd, workspace })) out.stdout.write(line);
  const summaryFile = out.env['GITHUB_STEP_SUMMARY'];
  if (summaryFile === undefined || summaryFile === '') return;
  const markdown = renderStepSummary({
    rows: run.rows,
    totals: result.finished.totals,
    wallTimeMs: result.finished.wallTimeMs,
  });
  try {
    await appendFile(summaryFile, markdown, 'utf8');
  } catch (error) {
    out.stderr.write(`baleen: could not append the step summary to ${summaryFile}: ${String(error)}\n`);
  }
}
