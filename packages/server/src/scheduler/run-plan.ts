import type { CucumberRun, ExpectedScenario, PullPolicy, RunOrder, SplitMode } from '@baleen/protocol';
import type { ContainerSettings } from '../backend/container-backend.js';

/** A validated run, as the scheduler sees it: no protocol types, no defaults left to fill in. */
export interface RunPlan {
  runId: string;
  serverId: string;
  /** Who is served in turn with other owners when capacity is short: the client that asked for the run. */
  owner: string;
  image: string;
  /** The history this run learns from and adds to (the client's --suite, else the image's repository). */
  suite: string;
  /** The run's span (W3C traceparent), given to every container as TRACEPARENT. */
  traceparent?: string;
  /** Who asked for the run, for its history: a token's name, or `local`. */
  client: string;
  files: readonly string[];
  order: RunOrder;
  /** The seed of a random order (given or picked). */
  seed: number;
  /** --pack, in ms: files share containers of about this long; undefined: one container per file. */
  packMs: number | undefined;
  split: SplitMode;
  /** argv of any test runner's command (`baleen run`); a cucumber run has `cucumber` instead. */
  command: readonly string[] | undefined;
  /** A cucumber run: the project's cucumber-js behind Baleen's in-container runner. */
  cucumber: CucumberRun | undefined;
  /** What each file is expected to run, by index, when the client knows it. */
  scenarios: readonly (PlannedScenarios | undefined)[];
  workDir: string | undefined;
  timeoutMs: number;
  concurrency: number;
  env: Readonly<Record<string, string>>;
  beforeCommand: string | undefined;
  maxOutputBytes: number;
  retries: number;
  failFast: boolean;
  container: ContainerSettings;
  pull: PullPolicy;
  /** Shell script of the prepare stage, run once before any test container. */
  prepare: string | undefined;
  /** The synced workspace (--sync) as a tar stream, placed at the work dir of every container. */
  workspace?: () => NodeJS.ReadableStream;
}

/** The scenarios the client expects one file to run. */
export interface PlannedScenarios {
  scenarios: readonly ExpectedScenario[];
  /** Run exactly these lines (the file's other scenarios were left out by line or shard). */
  byLine: boolean;
}
