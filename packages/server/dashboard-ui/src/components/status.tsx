/** Each state as a word and a symbol, so the page reads the same without colour. */
const LOOK: Readonly<Record<string, { symbol: string; word: string }>> = {
  queued: { symbol: '·', word: 'queued' },
  starting: { symbol: '◌', word: 'starting' },
  running: { symbol: '▶', word: 'running' },
  passed: { symbol: '✓', word: 'passed' },
  failed: { symbol: '✗', word: 'FAILED' },
  'timed-out': { symbol: '⏱', word: 'TIMED OUT' },
  oom: { symbol: '✗', word: 'OUT OF MEMORY' },
  cancelled: { symbol: '⊘', word: 'cancelled' },
  error: { symbol: '!', word: 'ERROR' },
  pending: { symbol: '?', word: 'pending' },
  undefined: { symbol: '?', word: 'undefined' },
  ambiguous: { symbol: '?', word: 'ambiguous' },
  skipped: { symbol: '–', word: 'skipped' },
  unknown: { symbol: '?', word: 'unknown' },
  unfinished: { symbol: '…', word: 'unfinished' },
  running_run: { symbol: '▶', word: 'running' },
};

/** A file's, scenario's or run's status (null: a run still going). */
export function Status({ state }: { state: string | null }) {
  const key = state ?? 'running_run';
  const look = LOOK[key] ?? { symbol: '?', word: key };
  return (
    <span class={`status status-${state ?? 'running'}`}>
      <span aria-hidden="true">{look.symbol}</span> {look.word}
    </span>
  );
}
