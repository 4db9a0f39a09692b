import {
  MAX_MISSING_LISTED,
  type ErrorCode,
  type ExpectedScenario,
  type FileMessagesMessage,
  type ScenarioStatus,
  type StatusCounts,
} from '@baleen/protocol';
import type { OutputSink } from '../backend/container-backend.js';
import { ChannelDecoder, type ChannelMessage } from '../cucumber/channel-decoder.js';
import { RUNNER_ERROR_CODES } from '../cucumber/in-container-runner.js';
import { CucumberResultTracker, type ScenarioResult } from './cucumber-result-tracker.js';
import { cucumberVerdict, type Verdict } from './cucumber-verdict.js';
import { StreamByFile } from './stream-by-file.js';

/** One feature file a container runs, and what it is expected to run of it. */
export interface CucumberTarget {
  file: string;
  expected: readonly ExpectedScenario[] | undefined;
}

export interface CucumberAttemptOptions {
  /** The files this container runs: one, or several (a pack). */
  targets: readonly CucumberTarget[];
  /** The marker of this container's channel (cucumberRunnerCall). */
  marker: string;
  /** pending and undefined steps fail the run (cucumber's `strict`, on unless the project turns it off). */
  strict: boolean;
  onScenario: (result: ScenarioResult) => void;
  /** cucumber has loaded the support code and begins running: its start-up is over. */
  onRunStarted: () => void;
}

/** The fields of a file's result that the channel knows. */
export interface CucumberFileFields {
  scenarios: StatusCounts;
  steps: StatusCounts;
  missing?: ExpectedScenario[];
  cucumberVersion?: string;
}

/**
 * One cucumber container's side of the channel: it reads the runner's frames out of stderr, follows cucumber's
 * envelopes to scenario results and counts per file, keeps each file's stream for the merged reports, and at the
 * end says how each file went (cucumberVerdict).
 */
export class CucumberAttempt {
  readonly #tracker: CucumberResultTracker;
  readonly #streams: StreamByFile;
  #runnerStarted = false;
  #runStartedAt: number | undefined;
  #runnerError: { code: ErrorCode; message: string } | undefined;
  #cucumberVersion: string | undefined;
  #decoder: ChannelDecoder | undefined;

  constructor(private readonly options: CucumberAttemptOptions) {
    this.#tracker = new CucumberResultTracker(options.onScenario);
    this.#streams = new StreamByFile(options.targets.map((target) => target.file));
  }

  /** Puts the channel decoder in front of the container's kept stderr. */
  readonly stderrFilter = (kept: OutputSink): OutputSink & { end(): void } => {
    this.#decoder = new ChannelDecoder(this.options.marker, kept, {
      onMessage: (message, json) => this.#onMessage(message, json),
      onBroken: () => undefined,
    });
    return this.#decoder;
  };

  get cucumberVersion(): string | undefined {
    return this.#cucumberVersion;
  }

  /** When cucumber's testRunStarted arrived (performance.now()), if it did. */
  get runStartedAt(): number | undefined {
    return this.#runStartedAt;
  }

  /** How long a file's scenarios took by cucumber's clock, first start to last finish. */
  spanMs(file: string): number | undefined {
    return this.#tracker.spanMs(file);
  }

  /**
   * Where a container that was stopped had got to with a file: every expected scenario finished (`finished`,
   * then `passed` tells whether they all passed), some started (`running`), or none (`not-started`).
   */
  progress(file: string): { state: 'finished' | 'running' | 'not-started'; passed: boolean } {
    const statuses = this.#tracker.statuses(file);
    const passed = !statuses.some((status) => fails(status, this.options.strict));
    if (!this.#tracker.started(file)) return { state: 'not-started', passed };
    const expected = this.#target(file)?.expected;
    return { state: expected !== undefined && this.missing(file).length === 0 ? 'finished' : 'running', passed };
  }

  /** A file's envelopes as NDJSON, for the client's merged reports. */
  messages(file: string): Pick<FileMessagesMessage, 'ndjson' | 'truncated'> | undefined {
    return this.#streams.streamOf(file);
  }

  /** A file's expected scenarios that have not finished. */
  missing(file: string): ExpectedScenario[] {
    const expected = this.#target(file)?.expected ?? [];
    return expected.filter((scenario) => !this.#tracker.finished(file, scenario.line));
  }

  /** A file's counts as cucumber's summary counts them; `unfinished` is what never finished. */
  counts(file: string): { scenarios: StatusCounts; steps: StatusCounts } {
    const counts = this.#tracker.counts(file);
    if (this.#target(file)?.expected === undefined) return counts;
    return { ...counts, scenarios: { ...counts.scenarios, unfinished: this.missing(file).length } };
  }

  resultFields(file: string): CucumberFileFields {
    const missing = this.missing(file);
    return {
      ...this.counts(file),
      ...(missing.length === 0 ? {} : { missing: missing.slice(0, MAX_MISSING_LISTED) }),
      ...(this.#cucumberVersion === undefined ? {} : { cucumberVersion: this.#cucumberVersion }),
    };
  }

  /** How a file went, for a container that exited by itself with this code. */
  verdict(file: string, exitCode: number, beforeCommand: boolean): Verdict {
    const shared = this.options.targets.length > 1;
    const statuses = this.#tracker.statuses(file);
    const missing = this.missing(file);
    return cucumberVerdict({
      file,
      exitCode: shared ? this.#packedExitCode(exitCode, statuses, missing) : exitCode,
      beforeCommand,
      runnerStarted: this.#runnerStarted,
      runnerError: this.#runnerError,
      channelBroken: this.#decoder?.broken,
      // In a pack, a file whose scenarios all finished is finished, whatever came after it.
      runFinished: this.#tracker.sawRunFinish || (shared && missing.length === 0 && statuses.length > 0),
      missing,
      unfinished: this.#tracker.counts(file).scenarios.unfinished,
      statuses,
      runFailure: this.#tracker.runFailure,
    });
  }

  /**
   * In a pack, the process's exit code speaks for every file; a file whose own scenarios all passed, in a pack that
   * failed elsewhere, passed — unless a BeforeAll/AfterAll hook failed, which fails every file of the pack.
   */
  #packedExitCode(exitCode: number, statuses: readonly ScenarioStatus[], missing: readonly ExpectedScenario[]): number {
    if (exitCode === 0 || !this.#runnerStarted || this.#runnerError !== undefined) return exitCode;
    if (statuses.some((status) => fails(status, this.options.strict)) || missing.length > 0) return exitCode;
    if (this.#tracker.runFailure !== undefined || statuses.length === 0) return exitCode;
    return 0;
  }

  #target(file: string): CucumberTarget | undefined {
    return this.options.targets.find((target) => target.file === file);
  }

  #onMessage(message: ChannelMessage, json: string): void {
    const own = message['baleen'];
    if (own !== undefined) {
      this.#onRunnerMessage(own);
      return;
    }
    this.#tracker.ingest(message);
    if ('testRunStarted' in message) {
      this.#runStartedAt ??= performance.now();
      this.options.onRunStarted();
    }
    this.#streams.add(message, json);
  }

  #onRunnerMessage(own: unknown): void {
    if (typeof own !== 'object' || own === null) return;
    const said = own as Record<string, unknown>;
    if ('hello' in said) this.#runnerStarted = true;
    const cucumber = said['cucumber'] as { version?: unknown } | undefined;
    if (typeof cucumber?.version === 'string') this.#cucumberVersion = cucumber.version;
    const failure = said['error'] as { code?: unknown; message?: unknown } | undefined;
    if (failure !== undefined) {
      const code = RUNNER_ERROR_CODES.find((known) => known === failure.code) ?? 'RUNNER_FAILED';
      this.#runnerError = {
        code,
        message: typeof failure.message === 'string' ? failure.message : 'the runner failed',
      };
    }
  }
}

/** Whether a scenario of this status fails cucumber's run. */
function fails(status: ScenarioStatus, strict: boolean): boolean {
  if (status === 'failed' || status === 'ambiguous' || status === 'unknown') return true;
  return strict && (status === 'pending' || status === 'undefined');
}
