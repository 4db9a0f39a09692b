import { useCallback, useEffect, useState } from 'preact/hooks';
import type { NowView } from '../../../src/dashboard/dashboard-api.js';
import { getJson, useEvents } from '../api.js';
import { ProgressLine } from '../components/progress-line.js';
import { Status } from '../components/status.js';
import { formatDuration, formatTime } from '../format.js';

/** The server now: capacity, start slots, the queue, the runs going on (and just ended), Swarm nodes. */
export function NowPage() {
  const [now, setNow] = useState<NowView | undefined>();
  const [error, setError] = useState<string | undefined>();
  const load = useCallback(() => {
    getJson<NowView>('/api/now').then(setNow, (failure: unknown) => setError(String(failure)));
  }, []);
  useEffect(load, [load]);
  useEvents(
    '',
    (events) => {
      for (const event of events) if (event.type === 'now') setNow(event.now);
    },
    load,
  );
  if (error !== undefined) return <p role="alert">Could not load: {error}</p>;
  if (now === undefined) return <p class="loading">Loading…</p>;
  const running = now.runs.filter((run) => run.status === null);
  const ended = now.runs.filter((run) => run.status !== null);
  return (
    <section aria-labelledby="now-title">
      <h1 id="now-title">Now</h1>
      <dl class="gauges">
        <div>
          <dt>Capacity</dt>
          <dd>
            <progress max={now.capacity.total} value={now.capacity.used} aria-label="containers in use" />{' '}
            {now.capacity.used} / {now.capacity.total} containers
          </dd>
        </div>
        <div>
          <dt>Start slots</dt>
          <dd>
            {now.startSlots.used} / {now.startSlots.total} starting
          </dd>
        </div>
        <div>
          <dt>Queue</dt>
          <dd>{now.queue.length === 0 ? 'nobody waiting' : `${now.queue.length} waiting`}</dd>
        </div>
      </dl>
      {now.queue.length > 0 && (
        <table class="table" aria-label="queue">
          <thead>
            <tr>
              <th scope="col">Position</th>
              <th scope="col">Run</th>
              <th scope="col">Client</th>
            </tr>
          </thead>
          <tbody>
            {now.queue.map((entry) => (
              <tr key={entry.runId}>
                <td>{entry.position}</td>
                <td>
                  <a href={`/runs/${encodeURIComponent(entry.runId)}`}>{entry.runId}</a>
                </td>
                <td>{entry.client}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>Running</h2>
      {running.length === 0 ? <p class="muted">No run is going on.</p> : <RunList runs={running} />}
      {now.nodes.length > 0 && (
        <>
          <h2>Swarm nodes</h2>
          <ul class="nodes">
            {now.nodes.map((node) => (
              <li key={node.node}>
                {node.node}: {node.running} running
              </li>
            ))}
          </ul>
        </>
      )}
      {ended.length > 0 && (
        <>
          <h2>Just ended</h2>
          <RunList runs={ended} />
        </>
      )}
    </section>
  );
}

function RunList({ runs }: { runs: NowView['runs'] }) {
  return (
    <ul class="run-list">
      {runs.map((run) => (
        <li key={run.runId} class="run-card">
          <div class="run-card-head">
            <Status state={run.status} />{' '}
            {run.own ? <a href={`/runs/${encodeURIComponent(run.runId)}`}>{run.suite}</a> : <span>{run.suite}</span>}{' '}
            <span class="muted">
              {run.runId} · {run.client} · started {formatTime(run.startedAt)}
              {run.wallTimeMs === null ? '' : ` · ${formatDuration(run.wallTimeMs)}`}
              {run.queuePosition > 0 ? ` · waiting for capacity, position ${run.queuePosition}` : ''}
            </span>
          </div>
          <ProgressLine summary={run} />
        </li>
      ))}
    </ul>
  );
}
