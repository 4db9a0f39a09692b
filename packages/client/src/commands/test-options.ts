import type { PullPolicy, RunOrder, SplitMode } from '@baleen/protocol';
import type { BuildFlags } from './build-option.js';
import type { ContainerFlags } from './container-options.js';

/** The options of `baleen cucumber` and `baleen run`, after the config file and the flags are merged. */
export interface TestOptions extends ContainerFlags, BuildFlags {
  image: string;
  files?: string[];
  features?: string[];
  server?: string;
  concurrency: number;
  timeout: number;
  workDir?: string;
  beforeCommand?: string;
  env: string[];
  envFile?: string[];
  prepare?: string;
  sync?: boolean;
  mountWorkspace?: boolean;
  pull?: PullPolicy;
  cucumberBin?: string;
  maxOutputBytes?: number;
  retries: number;
  failFast?: boolean;
  failOnFlaky?: boolean;
  passWithNoScenarios?: boolean;
  /** --pack: seconds per pack, or `auto` (about one pack per slot). */
  pack?: number | 'auto';
  split?: SplitMode;
  suite?: string;
  order: RunOrder;
  seed?: number;
  /** The project's history database (the embedded server's), next to the project. */
  history: string;
  json?: string;
  messages?: string;
  junit?: string;
  html?: string;
  showOutput?: boolean;
  /** Run only what did not pass in the suite's previous run. */
  lastFailed?: boolean;
  /** OTLP/HTTP endpoint: a span per run, file and scenario is sent there. */
  otelEndpoint?: string;
  /** `--reporter list,github,junit` (a config file may give a list); default: detected from the CI. */
  reporter?: string | string[];
  token?: string;
  ca?: string;
}

export interface CommandIo {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  cwd: string;
  /** Registers the Ctrl-C handler; returns a function that removes it. */
  onInterrupt: (handler: () => void) => () => void;
}

/** What differs between test runners: which files a directory holds and how one file is run. */
export interface TestKind {
  /** For messages: `cucumber` or `run`. */
  name: string;
  /** Files searched for when an input is a directory. */
  directoryPattern: string;
  /** `baleen run`: argv of the test command; `{file}` marks where the file goes, else it is appended. */
  command?: string[];
  /** `baleen cucumber`: cucumber-js's bin and the arguments after `--`. */
  cucumber?: { bin: string; args: string[] };
}
