import path from 'node:path';
import type { FileFinishedMessage, ScenarioFinishedMessage } from '@baleen/protocol';
import { shownStatus } from '../format.js';
import { workflowCommand } from './workflow-commands.js';

export interface AnnotatedFile {
  /** As the run names it: relative to `cwd`. */
  file: string;
  result: FileFinishedMessage | undefined;
  /** Its scenarios as the latest attempt left them. */
  scenarios: readonly ScenarioFinishedMessage[];
}

export interface AnnotationPaths {
  /** Where the run's paths are relative to. */
  cwd: string;
  /** The repository's root on the runner (`GITHUB_WORKSPACE`): annotations name files relative to it. */
  workspace: string;
}

const NOT_PASSED = new Set(['failed', 'pending', 'undefined', 'ambiguous']);

/** GitHub shows at most 10 annotations of a kind per step and 50 per job, and drops the rest. */
export const MAX_ANNOTATIONS = 50;

/**
 * `::error file=…,line=…,title=…::` for every scenario that did not pass, at its line in the feature file; a
 * file that failed with no scenario to blame (a timeout, a crash, a runner other than cucumber) gets one at the
 * first scenario it never finished, else at line 1; a flaky file gets a warning.
 */
export function githubAnnotations(files: readonly AnnotatedFile[], paths: AnnotationPaths): string[] {
  const lines: string[] = [];
  for (const { file, result, scenarios } of files) {
    const where = repositoryPath(file, paths);
    const shown = shownStatus(result);
    if (shown === 'passed') continue;
    if (shown === 'flaky') {
      lines.push(
        workflowCommand(
          'warning',
          { file: where, line: 1, title: `flaky: ${file}` },
          `passed on attempt ${result?.attempt ?? 0} after failing`,
        ),
      );
      continue;
    }
    if (result === undefined || result.status === 'cancelled') continue;
    const failed = scenarios.filter((scenario) => NOT_PASSED.has(scenario.status));
    for (const scenario of failed) {
      const scenarioFile = scenario.uri === '' ? where : repositoryPath(scenario.uri, paths);
      lines.push(
        workflowCommand(
          'error',
          { file: scenarioFile, line: scenario.line ?? 1, title: `${scenario.status} scenario: ${scenario.name}` },
          scenario.errorMessage ?? `${scenario.name} ${scenario.status}`,
        ),
      );
    }
    if (failed.length > 0) continue;
    const firstMissing = result.missing?.[0];
    const exit = result.exitCode === null ? '' : ` (exit ${result.exitCode})`;
    lines.push(
      workflowCommand(
        'error',
        { file: where, line: firstMissing?.line ?? 1, title: `${result.status}: ${file}` },
        result.error?.message ?? `${file} ${result.status}${exit}`,
      ),
    );
  }
  return lines.slice(0, MAX_ANNOTATIONS);
}

/** A run's path as GitHub names it: relative to the repository's root, with forward slashes. */
export function repositoryPath(file: string, paths: AnnotationPaths): string {
  const relative = path.relative(paths.workspace, path.resolve(paths.cwd, file));
  return relative.split(path.sep).join('/');
}
