import type { FileStatus, RunStatus, ScenarioStatus } from '@baleen/protocol';

/** What the store keeps of a JSON column (a run's totals, a file's scenario counts). */
export type JsonValue = null | boolean | number | string | readonly JsonValue[] | JsonObject;
export interface JsonObject {
  readonly [key: string]: JsonValue;
}

/** cucumber's statuses, plus a scenario that started or was planned but never finished. */
export type ScenarioResultStatus = ScenarioStatus | 'unfinished';

export interface RunStartedRecord {
  runId: string;
  /** The client's key for "the same tests": an image repository plus `#project`, or `--suite NAME`. */
  suite: string;
  /** Who ran it: a token's name, or 'local'. */
  client: string;
  image: string;
  fileCount: number;
  startedAt: Date;
}

/** One container's go at one file (or at one chunk of a split file). */
export interface FileAttemptRecord {
  runId: string;
  file: string;
  attempt: number;
  /** The attempt that counts for the file; earlier, retried attempts are recorded with `final: false`. */
  final: boolean;
  status: FileStatus;
  exitCode: number | null;
  durationMs: number;
  /** Container start to cucumber's testRunStarted. */
  startupMs?: number | null | undefined;
  runMs?: number | null | undefined;
  containerId?: string | null | undefined;
  node?: string | null | undefined;
  errorCode?: string | null | undefined;
  errorMessage?: string | null | undefined;
  scenarios?: JsonObject | null | undefined;
  /** Set when several files shared one container. */
  pack?: string | null | undefined;
  /** "k of n" when one file was split over several containers. */
  chunk?: string | null | undefined;
}

export interface ScenarioRecord {
  runId: string;
  file: string;
  line: number;
  name: string;
  attempt: number;
  status: ScenarioResultStatus;
  durationMs: number;
  errorMessage?: string | null | undefined;
}

export interface RunFinishedRecord {
  runId: string;
  status: RunStatus;
  wallTimeMs: number;
  totals: JsonObject;
  finishedAt: Date;
}

/** A file attempt as read back: absent values are null. */
export interface StoredFileAttempt {
  runId: string;
  file: string;
  attempt: number;
  final: boolean;
  status: FileStatus;
  exitCode: number | null;
  durationMs: number;
  startupMs: number | null;
  runMs: number | null;
  containerId: string | null;
  node: string | null;
  errorCode: string | null;
  errorMessage: string | null;
  scenarios: JsonObject | null;
  pack: string | null;
  chunk: string | null;
}

export interface StoredScenario {
  runId: string;
  file: string;
  line: number;
  name: string;
  attempt: number;
  status: ScenarioResultStatus;
  durationMs: number;
  errorMessage: string | null;
}

export interface RunSummary {
  runId: string;
  suite: string;
  client: string;
  image: string;
  fileCount: number;
  /** null while the run is going on, or if its server stopped before it finished. */
  status: RunStatus | null;
  startedAt: Date;
  finishedAt: Date | null;
  wallTimeMs: number | null;
  totals: JsonObject | null;
}

export interface FileEstimate {
  /** Median duration of the file's last (up to 5) final attempts that ran to an end. */
  durationMs: number;
  /** Median start-up over those of the same attempts that measured it. */
  startupMs: number | undefined;
  /** Median scenario time (cucumber's testRunStarted to testRunFinished) over those that measured it. */
  runMs?: number;
  samples: number;
}

export interface LastRunFile {
  file: string;
  status: FileStatus;
  /** Scenarios whose last attempt in the run did not pass (skipped ones are not listed). */
  failedScenarios: { line: number; name: string }[];
}

export interface LastRun {
  runId: string;
  status: RunStatus;
  finishedAt: Date;
  files: LastRunFile[];
}

export interface FileHistoryEntry {
  runId: string;
  startedAt: Date;
  status: FileStatus;
  durationMs: number;
  /** How many attempts the file took in that run. */
  attempts: number;
}

export interface FlakyFile {
  file: string;
  /** Runs among the last N in which the file ran to an end. */
  runs: number;
  /** Runs in which it passed only after a failed attempt. */
  retriedPasses: number;
  /** Times its outcome (passed / not passed) changed from one run to the next. */
  flips: number;
  /** Share of those runs that passed on a retry or whose outcome differed from the run before: 0..1. */
  flakyRate: number;
}

export interface ScenarioHistoryEntry {
  runId: string;
  startedAt: Date;
  name: string;
  /** The scenario's last attempt in that run. */
  status: ScenarioResultStatus;
  durationMs: number;
  attempts: number;
}
