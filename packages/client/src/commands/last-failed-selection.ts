import type { LastFailedAnswerMessage } from '@baleen/protocol';

export interface LastFailedSelection {
  /** Files and, for cucumber, `FILE:LINE` scenario targets, as `--files` would give them. */
  targets: string[];
  /** What was selected and from which run, for the banner. */
  said: string;
  /** Why nothing was selected, when nothing was. */
  nothing?: string;
}

/**
 * The targets of `--last-failed`: each file that did not pass in the previous run; with cucumber, a file that
 * failed in some of its scenarios reruns only those (`FILE:LINE`), while one that timed out, crashed or ran out of
 * memory reruns whole — scenarios it never reached did not pass either.
 */
export function selectLastFailed(
  answer: LastFailedAnswerMessage,
  options: { cucumber: boolean; where: string },
): LastFailedSelection {
  const run = answer.run;
  if (run === undefined) {
    const nothing = `no finished run of suite '${answer.suite}' in ${options.where} — nothing to rerun`;
    return { targets: [], said: nothing, nothing };
  }
  const from = `run ${run.runId} of suite '${answer.suite}' (${run.finishedAt})`;
  if (run.files.length === 0) {
    const nothing = `every file passed in ${from} — nothing to rerun`;
    return { targets: [], said: nothing, nothing };
  }
  const targets: string[] = [];
  const described: string[] = [];
  for (const file of run.files) {
    const lines = [...new Set(file.failedScenarios.map((scenario) => scenario.line))].sort((a, b) => a - b);
    if (options.cucumber && file.status === 'failed' && lines.length > 0) {
      targets.push(...lines.map((line) => `${file.file}:${line}`));
      described.push(`${file.file} (${lines.length} scenario${lines.length === 1 ? '' : 's'})`);
    } else {
      targets.push(file.file);
      described.push(`${file.file} (${file.status})`);
    }
  }
  const count = run.files.length;
  return {
    targets,
    said: `--last-failed: ${count} of ${run.fileCount} file${run.fileCount === 1 ? '' : 's'} from ${from}: ${described.join(', ')}`,
  };
}
