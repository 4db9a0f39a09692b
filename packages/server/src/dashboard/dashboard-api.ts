// What the dashboard's HTTP API and event stream carry. Types only, built from the protocol's own (zod-inferred)
// types, so the server and the browser bundle (packages/server/dashboard-ui) check against the same shapes.
import type { FileStatus, RunStatus, RunTotals, ScenarioStatus, StatusCounts } from '@baleen/protocol';

/** A file as the dashboard shows it: before its container (`queued`), starting, running, or its last status. */
export type FileState = 'queued' | 'starting' | 'running' | FileStatus;

export interface FileView {
  index: number;
  file: string;
  state: FileState;
  attempt: number;
  containerId: string | null;
  node: string | null;
  durationMs: number | null;
  /** When the current attempt's container started (ms since the epoch), while it runs. */
  startedAt: number | null;
  scenarios: StatusCounts | null;
  error: string | null;
}

export interface ScenarioView {
  fileIndex: number;
  file: string;
  attempt: number;
  name: string;
  uri: string;
  line: number | null;
  status: ScenarioStatus;
  durationMs: number;
  errorMessage: string | null;
}

/** Files of a run by where they stand, and its scenarios so far. */
export interface RunProgress {
  done: number;
  running: number;
  starting: number;
  queued: number;
  scenariosPassed: number;
  scenariosFailed: number;
}

export interface RunSummaryView {
  runId: string;
  suite: string;
  /** Who ran it: a tenant id (opaque, per server), or `local`/`remote` without tokens. */
  client: string;
  image: string;
  fileCount: number;
  startedAt: number;
  /** null while it runs. */
  status: RunStatus | null;
  wallTimeMs: number | null;
  totals: RunTotals | null;
  progress: RunProgress;
  /** Its client's place in the queue for capacity (0: served). */
  queuePosition: number;
  /** This session's tenant ran it: files, output, failures, reports and cancel are open to it. */
  own: boolean;
}

export interface RunDetailView {
  summary: RunSummaryView;
  files: FileView[];
  scenarios: ScenarioView[];
  /** Scenarios kept are bounded; this many more were left out. */
  scenariosDropped: number;
  /** Live from this server (false: read back from the history store). */
  live: boolean;
}

export interface NowView {
  capacity: { used: number; total: number };
  startSlots: { used: number; total: number };
  queue: { runId: string; client: string; position: number }[];
  runs: RunSummaryView[];
  /** Swarm nodes with containers of running files, and how many each runs. */
  nodes: { node: string; running: number }[];
  /** Who this session is, for the header. */
  tenant: string;
}

export interface OutputTailView {
  fileIndex: number;
  text: string;
  /** Bytes written before what `text` holds, which the tail no longer keeps. */
  droppedBytes: number;
  live: boolean;
}

export interface HistoryRunView {
  runId: string;
  suite: string;
  client: string;
  status: RunStatus | null;
  startedAt: number;
  wallTimeMs: number | null;
  fileCount: number;
  totals: RunTotals | null;
}

export interface FlakyView {
  file: string;
  runs: number;
  flakyRate: number;
  retriedPasses: number;
  flips: number;
}

export interface SuiteHistoryView {
  suites: string[];
  suite: string | null;
  runs: HistoryRunView[];
  flaky: FlakyView[];
}

/** One file's or one scenario's last runs: newest first. */
export interface TrendView {
  suite: string;
  file: string;
  /** Set for a scenario's trend. */
  line: number | null;
  name: string | null;
  entries: { runId: string; startedAt: number; status: string; durationMs: number; attempts: number }[];
  flakyRate: number;
}

/** What the event stream sends, batched: each event at most every flush, the latest state of each file. */
export type DashboardEvent =
  | { type: 'now'; now: NowView }
  | { type: 'run'; summary: RunSummaryView }
  | { type: 'files'; runId: string; files: FileView[] }
  | { type: 'scenarios'; runId: string; scenarios: ScenarioView[] }
  | { type: 'output'; runId: string; fileIndex: number; text: string }
  /** The stream fell behind and dropped events: fetch the page's state again. */
  | { type: 'resync' };

export const DASHBOARD_STATUS_WORDS: Readonly<Record<FileState, string>> = {
  queued: 'queued',
  starting: 'starting',
  running: 'running',
  passed: 'passed',
  failed: 'FAILED',
  'timed-out': 'TIMED OUT',
  oom: 'OUT OF MEMORY',
  cancelled: 'cancelled',
  error: 'ERROR',
};
