import { useCallback, useEffect, useState } from 'preact/hooks';
import type {
  DashboardEvent,
  FileView,
  OutputTailView,
  RunDetailView,
  ScenarioView,
} from '../../../src/dashboard/dashboard-api.js';
import { getJson, postJson, useEvents } from '../api.js';
import { FileTable } from '../components/file-table.js';
import { OutputTail } from '../components/output-tail.js';
import { ProgressLine } from '../components/progress-line.js';
import { Status } from '../components/status.js';
import { formatDuration, formatTime, plural } from '../format.js';

/** Live scenario results listed at once (the newest); every failure is listed whatever this says. */
const RECENT_SCENARIOS = 50;

interface Selection {
  fileIndex: number | null;
  scenarioLine: number | null;
}

/** A run: its files, live scenario results, a running file's output, failures, reports and cancel. */
export function RunPage({ runId, selection }: { runId: string; selection: Selection }) {
  const [detail, setDetail] = useState<RunDetailView | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [tail, setTail] = useState<OutputTailView | undefined>();
  const [notice, setNotice] = useState<string | undefined>();
  const fileIndex = selection.fileIndex;

  const load = useCallback(() => {
    getJson<RunDetailView>(`/api/runs/${encodeURIComponent(runId)}`).then(
      (loaded) => {
        setDetail(loaded);
        setError(undefined);
      },
      (failure: unknown) => setError(String(failure)),
    );
  }, [runId]);
  const loadTail = useCallback(() => {
    if (fileIndex === null) {
      setTail(undefined);
      return;
    }
    getJson<OutputTailView>(`/api/runs/${encodeURIComponent(runId)}/files/${fileIndex}/output`).then(setTail, () =>
      setTail(undefined),
    );
  }, [runId, fileIndex]);
  useEffect(load, [load]);
  useEffect(loadTail, [loadTail]);

  const onEvents = (events: DashboardEvent[]): void => {
    setDetail((current) => (current === undefined ? current : applyEvents(current, events)));
    for (const event of events) {
      if (event.type === 'output' && event.fileIndex === fileIndex) {
        setTail((current) => (current === undefined ? current : { ...current, text: current.text + event.text }));
      }
      if (event.type === 'files' && fileIndex !== null) {
        const mine = event.files.find((file) => file.index === fileIndex);
        // The file finished (or a new attempt began): its kept output replaces the live one.
        if (mine !== undefined && mine.state !== 'running' && mine.state !== 'starting') loadTail();
        else if (mine?.state === 'starting') loadTail();
      }
    }
  };
  useEvents(`?run=${encodeURIComponent(runId)}${fileIndex === null ? '' : `&tail=${fileIndex}`}`, onEvents, () => {
    load();
    loadTail();
  });

  if (error !== undefined)
    return (
      <p role="alert">
        Could not load run {runId}: {error}
      </p>
    );
  if (detail === undefined) return <p class="loading">Loading run {runId}…</p>;
  const { summary, files, scenarios } = detail;
  const running = summary.status === null;
  const file = fileIndex === null ? undefined : files[fileIndex];
  const failures = scenarios.filter((scenario) => scenario.status !== 'passed' && scenario.status !== 'skipped');
  const fileFailures = files.filter((candidate) => candidate.error !== null);
  const runPath = `/runs/${encodeURIComponent(runId)}`;

  const cancel = (): void => {
    if (!window.confirm(`Cancel run ${runId}? Its containers are stopped and removed.`)) return;
    postJson(`${runPath}/cancel`.replace('/runs/', '/api/runs/')).then(
      () => setNotice('Cancelling: the run stops and its containers are removed.'),
      (failure: unknown) => setNotice(`Could not cancel: ${String(failure)}`),
    );
  };

  return (
    <section aria-labelledby="run-title">
      <h1 id="run-title">
        <Status state={summary.status} /> {summary.suite}
      </h1>
      <p class="muted">
        run {summary.runId} · {summary.client} · image {summary.image || '—'} · started {formatTime(summary.startedAt)}
        {summary.wallTimeMs === null ? '' : ` · took ${formatDuration(summary.wallTimeMs)}`}
        {detail.live ? '' : ' · from the history store'}
      </p>
      {summary.queuePosition > 0 && (
        <p class="notice">Waiting for capacity: position {summary.queuePosition} in the queue.</p>
      )}
      <ProgressLine summary={summary} />
      {summary.totals !== null && (
        <p>
          {plural(summary.totals.files, 'file')}: {summary.totals.passed} passed, {summary.totals.failed} failed,{' '}
          {summary.totals.timedOut} timed out, {summary.totals.error} errors, {summary.totals.flaky} flaky,{' '}
          {summary.totals.cancelled} cancelled
        </p>
      )}
      <div class="actions">
        {summary.own && running && detail.live && (
          <button type="button" class="danger" onClick={cancel}>
            Cancel run
          </button>
        )}
        {summary.own && detail.live && (
          <span>
            Reports:{' '}
            <a href={`/api${runPath}/report/junit`} download>
              JUnit XML
            </a>{' '}
            ·{' '}
            <a href={`/api${runPath}/report/messages`} download>
              cucumber messages
            </a>{' '}
            ·{' '}
            <a href={`/api${runPath}/report/html`} download>
              HTML report
            </a>
          </span>
        )}
        {!detail.live && <span class="muted">Reports are kept for runs since this server started.</span>}
        <a href={`/history?suite=${encodeURIComponent(summary.suite)}`}>History of this suite</a>
      </div>
      {notice !== undefined && (
        <p class="notice" role="status">
          {notice}
        </p>
      )}
      {!summary.own && <p class="notice">This run belongs to another token: only its progress is shown.</p>}

      {file !== undefined && (
        <FilePanel
          runPath={runPath}
          suite={summary.suite}
          file={file}
          scenarios={scenarios.filter((scenario) => scenario.fileIndex === file.index)}
          tail={tail}
          selectedLine={selection.scenarioLine}
        />
      )}

      {(failures.length > 0 || fileFailures.length > 0) && (
        <section aria-labelledby="failures-title">
          <h2 id="failures-title">Failures</h2>
          <ul class="failures">
            {fileFailures.map((failed) => (
              <li key={`file-${failed.index}`}>
                <Status state={failed.state} /> <a href={`${runPath}/files/${failed.index}`}>{failed.file}</a>
                <pre class="message">{failed.error}</pre>
              </li>
            ))}
            {failures.map((scenario) => (
              <ScenarioFailure key={scenarioKey(scenario)} runPath={runPath} scenario={scenario} />
            ))}
          </ul>
        </section>
      )}

      <h2>Files</h2>
      <FileTable runId={runId} files={files} selected={fileIndex} />

      <h2>Scenario results{running ? ', live' : ''}</h2>
      {scenarios.length === 0 ? (
        <p class="muted">No scenario has finished yet.</p>
      ) : (
        <ScenarioList runPath={runPath} scenarios={scenarios.slice(-RECENT_SCENARIOS).reverse()} />
      )}
      {scenarios.length > RECENT_SCENARIOS && (
        <p class="muted">
          The newest {RECENT_SCENARIOS} of {scenarios.length}; open a file for all of its scenarios.
        </p>
      )}
      {detail.scenariosDropped > 0 && (
        <p class="muted">{detail.scenariosDropped} passed scenarios are counted but not kept.</p>
      )}
    </section>
  );
}

function FilePanel({
  runPath,
  suite,
  file,
  scenarios,
  tail,
  selectedLine,
}: {
  runPath: string;
  suite: string;
  file: FileView;
  scenarios: ScenarioView[];
  tail: OutputTailView | undefined;
  selectedLine: number | null;
}) {
  const selected = scenarios.find((scenario) => scenario.line === selectedLine);
  return (
    <section class="panel" aria-labelledby="file-title">
      <h2 id="file-title">
        <Status state={file.state} /> {file.file}
      </h2>
      <p class="muted">
        attempt {file.attempt} · container {file.containerId?.slice(0, 12) ?? '—'} · node {file.node ?? '—'} ·{' '}
        {formatDuration(file.durationMs)} ·{' '}
        <a href={`/history/file?suite=${encodeURIComponent(suite)}&file=${encodeURIComponent(file.file)}`}>
          durations over the last runs
        </a>{' '}
        · <a href={runPath}>close</a>
      </p>
      {file.error !== null && <pre class="message">{file.error}</pre>}
      {selected !== undefined && (
        <div class="selected-scenario">
          <h3>
            <Status state={selected.status} /> {selected.name}
          </h3>
          <p class="muted">
            {selected.uri}:{selected.line} · attempt {selected.attempt} · {formatDuration(selected.durationMs)} ·{' '}
            <a
              href={`/history/scenario?suite=${encodeURIComponent(suite)}&file=${encodeURIComponent(file.file)}&line=${selected.line ?? ''}`}
            >
              this scenario over the last runs
            </a>
          </p>
          {selected.errorMessage !== null && <pre class="message">{selected.errorMessage}</pre>}
        </div>
      )}
      {tail !== undefined && <OutputTail text={tail.text} live={tail.live} dropped={tail.droppedBytes} />}
      <h3>Scenarios of this file</h3>
      {scenarios.length === 0 ? (
        <p class="muted">None finished yet.</p>
      ) : (
        <ScenarioList runPath={runPath} scenarios={scenarios} />
      )}
    </section>
  );
}

function ScenarioList({ runPath, scenarios }: { runPath: string; scenarios: ScenarioView[] }) {
  return (
    <ul class="scenarios">
      {scenarios.map((scenario) => (
        <li key={scenarioKey(scenario)}>
          <Status state={scenario.status} /> <a href={scenarioHref(runPath, scenario)}>{scenario.name}</a>{' '}
          <span class="muted">
            {scenario.uri}:{scenario.line ?? '?'} · {formatDuration(scenario.durationMs)}
            {scenario.attempt > 1 ? ` · attempt ${scenario.attempt}` : ''}
          </span>
        </li>
      ))}
    </ul>
  );
}

function ScenarioFailure({ runPath, scenario }: { runPath: string; scenario: ScenarioView }) {
  return (
    <li>
      <Status state={scenario.status} /> <a href={scenarioHref(runPath, scenario)}>{scenario.name}</a>{' '}
      <span class="location">
        at {scenario.uri}:{scenario.line ?? '?'}
      </span>
      {scenario.attempt > 1 ? <span class="muted"> · attempt {scenario.attempt}</span> : null}
      {scenario.errorMessage !== null && <pre class="message">{scenario.errorMessage}</pre>}
    </li>
  );
}

function scenarioHref(runPath: string, scenario: ScenarioView): string {
  return `${runPath}/scenarios/${scenario.fileIndex}/${scenario.line ?? 0}`;
}

function scenarioKey(scenario: ScenarioView): string {
  return `${scenario.fileIndex}:${scenario.line ?? ''}:${scenario.name}:${scenario.attempt}`;
}

/** Folds a batch of events into the page's state: changed files replaced by index, scenarios appended. */
function applyEvents(current: RunDetailView, events: DashboardEvent[]): RunDetailView {
  let next = current;
  for (const event of events) {
    if (event.type === 'run' && event.summary.runId === next.summary.runId) next = { ...next, summary: event.summary };
    if (event.type === 'files' && event.runId === next.summary.runId) {
      const files = next.files.slice();
      for (const file of event.files) files[file.index] = file;
      next = { ...next, files };
    }
    if (event.type === 'scenarios' && event.runId === next.summary.runId) {
      next = { ...next, scenarios: next.scenarios.concat(event.scenarios) };
    }
  }
  return next;
}
