import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { SuiteHistoryView } from '../../../src/dashboard/dashboard-api.js';
import { getJson, useEvents } from '../api.js';
import { DurationCell } from '../components/duration-cell.js';
import { Status } from '../components/status.js';
import { TrendChart } from '../components/trend-chart.js';
import { formatTime } from '../format.js';

/** A suite's past runs from the server's store: pass/fail, wall time and its trend, and its flaky files. */
export function HistoryPage({ suite }: { suite: string | undefined }) {
  const [view, setView] = useState<SuiteHistoryView | undefined>();
  const [error, setError] = useState<string | undefined>();
  const load = useCallback(() => {
    getJson<SuiteHistoryView>(`/api/history${suite === undefined ? '' : `?suite=${encodeURIComponent(suite)}`}`).then(
      setView,
      (failure: unknown) => setError(String(failure)),
    );
  }, [suite]);
  useEffect(load, [load]);
  // A run that ends adds a row: the Now stream says which runs have ended, and a new one means a fetch.
  const ended = useRef<string | undefined>(undefined);
  useEvents(
    '',
    (events) => {
      for (const event of events) {
        if (event.type !== 'now') continue;
        const ids = event.now.runs
          .filter((run) => run.status !== null)
          .map((run) => run.runId)
          .join(' ');
        if (ended.current !== undefined && ids !== ended.current) load();
        ended.current = ids;
      }
    },
    load,
  );
  if (error !== undefined) return <p role="alert">Could not load the history: {error}</p>;
  if (view === undefined) return <p class="loading">Loading…</p>;
  if (view.suite === null) return <p>No run of yours is in this server's history yet.</p>;
  const chosen = view.suite;
  const oldestFirst = view.runs.slice().reverse();
  return (
    <section aria-labelledby="history-title">
      <h1 id="history-title">History</h1>
      <nav aria-label="suites" class="suites">
        Suites:{' '}
        {view.suites.map((name) => (
          <a
            key={name}
            href={`/history?suite=${encodeURIComponent(name)}`}
            aria-current={name === chosen ? 'page' : undefined}
          >
            {name}
          </a>
        ))}
      </nav>
      <h2>{chosen}</h2>
      <TrendChart
        title="Wall time per run"
        points={oldestFirst
          .filter((run) => run.wallTimeMs !== null)
          .map((run) => ({ label: run.runId, durationMs: run.wallTimeMs ?? 0, passed: run.status === 'passed' }))}
      />
      <table class="table" aria-label="runs">
        <thead>
          <tr>
            <th scope="col">Run</th>
            <th scope="col">Status</th>
            <th scope="col">Started</th>
            <th scope="col">Wall time</th>
            <th scope="col">Files</th>
            <th scope="col">Passed</th>
            <th scope="col">Failed</th>
            <th scope="col">Flaky</th>
          </tr>
        </thead>
        <tbody>
          {view.runs.map((run) => (
            <tr key={run.runId}>
              <td>
                <a href={`/runs/${encodeURIComponent(run.runId)}`}>{run.runId}</a>
              </td>
              <td>
                <Status state={run.status ?? 'unfinished'} />
              </td>
              <td>{formatTime(run.startedAt)}</td>
              <DurationCell ms={run.wallTimeMs} />
              <td>{run.fileCount}</td>
              <td>{run.totals?.passed ?? '—'}</td>
              <td>
                {run.totals === null
                  ? '—'
                  : run.totals.failed + run.totals.timedOut + run.totals.error + run.totals.oom}
              </td>
              <td>{run.totals?.flaky ?? '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Flaky files</h2>
      {view.flaky.length === 0 ? (
        <p class="muted">No file passed on a retry or went back and forth over the last runs.</p>
      ) : (
        <table class="table" aria-label="flaky files">
          <thead>
            <tr>
              <th scope="col">File</th>
              <th scope="col">Flaky rate</th>
              <th scope="col">Runs</th>
              <th scope="col">Passed on retry</th>
              <th scope="col">Outcome changes</th>
            </tr>
          </thead>
          <tbody>
            {view.flaky.map((flaky) => (
              <tr key={flaky.file}>
                <td>
                  <a href={`/history/file?suite=${encodeURIComponent(chosen)}&file=${encodeURIComponent(flaky.file)}`}>
                    {flaky.file}
                  </a>
                </td>
                <td>{Math.round(flaky.flakyRate * 100)}%</td>
                <td>{flaky.runs}</td>
                <td>{flaky.retriedPasses}</td>
                <td>{flaky.flips}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
