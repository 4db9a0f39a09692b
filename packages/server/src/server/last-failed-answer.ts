import {
  MAX_LAST_FAILED_SCENARIOS_PER_FILE,
  type LastFailedAnswerMessage,
  type LastFailedQueryMessage,
} from '@baleen/protocol';
import type { LastRun } from '../history/history-records.js';
import { suiteOfImage } from '../history/suite.js';

/**
 * The answer to `--last-failed`: the files that did not pass in `lastRun` — which the caller looked up for the
 * asking tenant only — each with the scenarios to rerun (none named when there are too many: the file reruns whole).
 */
export function lastFailedAnswer(
  query: LastFailedQueryMessage,
  lookUp: (suite: string) => LastRun | undefined,
): LastFailedAnswerMessage {
  const suite = query.suite ?? suiteOfImage(query.image);
  const run = lookUp(suite);
  if (run === undefined) return { type: 'last-failed-answer', queryRef: query.queryRef, suite };
  return {
    type: 'last-failed-answer',
    queryRef: query.queryRef,
    suite,
    run: {
      runId: run.runId,
      status: run.status,
      finishedAt: run.finishedAt.toISOString(),
      fileCount: run.files.length,
      files: run.files
        .filter((file) => file.status !== 'passed')
        .map((file) => ({
          file: file.file,
          status: file.status,
          failedScenarios:
            file.failedScenarios.length > MAX_LAST_FAILED_SCENARIOS_PER_FILE
              ? []
              : file.failedScenarios.map(({ line, name }) => ({ line, name: name.slice(0, 4_096) })),
        })),
    },
  };
}
