import type { RunSummaryView } from '../../../src/dashboard/dashboard-api.js';

/** A run's files by where they stand and its scenarios so far, in words and as a bar. */
export function ProgressLine({ summary }: { summary: RunSummaryView }) {
  const { progress, fileCount } = summary;
  return (
    <div class="progress-line">
      <progress max={Math.max(1, fileCount)} value={progress.done} aria-label="files done">
        {progress.done} of {fileCount}
      </progress>
      <span>
        {progress.done}/{fileCount} done · {progress.running} running · {progress.starting} starting · {progress.queued}{' '}
        queued · scenarios {progress.scenariosPassed} passed, {progress.scenariosFailed} failed
      </span>
    </div>
  );
}
