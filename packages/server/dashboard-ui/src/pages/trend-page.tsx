import { useEffect, useState } from 'preact/hooks';
import type { TrendView } from '../../../src/dashboard/dashboard-api.js';
import { getJson } from '../api.js';
import { DurationCell } from '../components/duration-cell.js';
import { Status } from '../components/status.js';
import { TrendChart } from '../components/trend-chart.js';
import { formatTime } from '../format.js';

/** One file's or one scenario's durations and outcomes over its suite's last runs, with its flaky rate. */
export function TrendPage({ suite, file, line }: { suite: string; file: string; line: number | null }) {
  const [trend, setTrend] = useState<TrendView | undefined>();
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    const query = `suite=${encodeURIComponent(suite)}&file=${encodeURIComponent(file)}`;
    const path = line === null ? `/api/history/file?${query}` : `/api/history/scenario?${query}&line=${line}`;
    getJson<TrendView>(path).then(setTrend, (failure: unknown) => setError(String(failure)));
  }, [suite, file, line]);
  if (error !== undefined) return <p role="alert">Could not load: {error}</p>;
  if (trend === undefined) return <p class="loading">Loading…</p>;
  const title = trend.name === null ? file : `${trend.name} (${file}:${line ?? ''})`;
  return (
    <section aria-labelledby="trend-title">
      <h1 id="trend-title">{title}</h1>
      <p class="muted">
        suite <a href={`/history?suite=${encodeURIComponent(suite)}`}>{suite}</a> · flaky rate{' '}
        <strong>{Math.round(trend.flakyRate * 100)}%</strong> over {trend.entries.length} runs (passed only on a retry,
        or a different outcome from the run before)
      </p>
      <TrendChart
        title="Duration per run"
        points={trend.entries
          .slice()
          .reverse()
          .map((entry) => ({ label: entry.runId, durationMs: entry.durationMs, passed: entry.status === 'passed' }))}
      />
      <table class="table" aria-label="runs">
        <thead>
          <tr>
            <th scope="col">Run</th>
            <th scope="col">Started</th>
            <th scope="col">Status</th>
            <th scope="col">Duration</th>
            <th scope="col">Attempts</th>
          </tr>
        </thead>
        <tbody>
          {trend.entries.map((entry) => (
            <tr key={entry.runId}>
              <td>
                <a href={`/runs/${encodeURIComponent(entry.runId)}`}>{entry.runId}</a>
              </td>
              <td>{formatTime(entry.startedAt)}</td>
              <td>
                <Status state={entry.status} />
              </td>
              <DurationCell ms={entry.durationMs} />
              <td>{entry.attempts}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
