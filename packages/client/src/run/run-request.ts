import type {
  ContainerRequest,
  CucumberRun,
  ExpectedScenario,
  PullPolicy,
  RunOrder,
  SplitMode,
} from '@baleen/protocol';

/** What a client asks a server to run: the `run` message without its protocol envelope. */
export interface RunRequest {
  image: string;
  files: string[];
  /** Any test runner's command (`baleen run`), `{file}` where the file goes; or `cucumber` instead. */
  command?: string[];
  /** A cucumber run: the project's cucumber-js runs behind Baleen's runner in each container. */
  cucumber?: CucumberRun;
  /**
   * What each file (by index) is expected to run, when known: the server names the ones that never finished.
   * `byLine`: run exactly these lines of the file.
   */
  scenarios?: readonly (PlannedFile | undefined)[];
  workDir?: string;
  timeoutSeconds: number;
  concurrency: number;
  env: Record<string, string>;
  beforeCommand?: string;
  maxOutputBytes?: number;
  retries?: number;
  failFast?: boolean;
  container?: ContainerRequest;
  pull?: PullPolicy;
  prepare?: string;
  /** Start order (the server's default: `timing`, longest first by the suite's history). */
  order?: RunOrder;
  seed?: number;
  /** The history the run belongs to (default: the image's repository). */
  suite?: string;
  /** cucumber: several files per container, about this many seconds each. */
  pack?: number | 'auto';
  /** cucumber: split a file that would be the critical path (default `auto`). */
  split?: SplitMode;
  /** The run's span (W3C traceparent): every container gets it as TRACEPARENT. */
  traceparent?: string;
}

export interface PlannedFile {
  scenarios: readonly ExpectedScenario[];
  byLine: boolean;
}
