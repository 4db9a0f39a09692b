import {
  MAX_MISSING_LISTED,
  type ErrorCode,
  type ExpectedScenario,
  type FileMessagesMessage,
  type StatusCounts,
} from '@baleen/protocol';
import type { OutputSink } from '../backend/container-backend.js';
import { ChannelDecoder, type ChannelMessage } from '../cucumber/channel-decoder.js';
import { RUNNER_ERROR_CODES } from '../cucumber/in-container-runner.js';
import { CucumberResultTracker, type ScenarioResult } from './cucumber-result-tracker.js';
import { cucumberVerdict, type Verdict } from './cucumber-verdict.js';

/** Envelopes kept per attempt for the client's merged reports; past this the stream is marked truncated. */
export const MAX_MESSAGES_BYTES = 32 * 1024 * 1024;

export interface CucumberAttemptOptions {
  file: string;
  /** The marker of this container's channel (cucumberRunnerCall). */
  marker: string;
  /** The scenarios the client expects the file to run, when it knows them. */
  expected: readonly ExpectedScenario[] | undefined;
  onScenario: (result: ScenarioResult) => void;
  /** cucumber has loaded the support code and begins running: its start-up is over. */
  onRunStarted: () => void;
}

/**
 * One cucumber container's side of the channel: it reads the runner's frames out of stderr, follows cucumber's
 * envelopes to scenario results and counts, keeps the stream for the merged reports, and at the end says how the
 * file went (cucumberVerdict).
 */
export class CucumberAttempt {
  readonly #tracker: CucumberResultTracker;
  readonly #kept: string[] = [];
  #keptBytes = 0;
  #truncated = false;
  #runnerStarted = false;
  #runnerError: { code: ErrorCode; message: string } | undefined;
  #cucumberVersion: string | undefined;
  #decoder: ChannelDecoder | undefined;

  constructor(private readonly options: CucumberAttemptOptions) {
    this.#tracker = new CucumberResultTracker(options.onScenario);
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

  /** cucumber's envelopes of this attempt as NDJSON, for the client's merged reports. */
  messages(): Pick<FileMessagesMessage, 'ndjson' | 'truncated'> | undefined {
    if (this.#kept.length === 0) return undefined;
    return { ndjson: `${this.#kept.join('\n')}\n`, truncated: this.#truncated };
  }

  /** Expected scenarios that have not finished. */
  missing(): ExpectedScenario[] {
    const { file, expected } = this.options;
    return (expected ?? []).filter((scenario) => !this.#tracker.finished(file, scenario.line));
  }

  /** Scenario and step counts as cucumber's summary counts them; `unfinished` is what never finished. */
  counts(): { scenarios: StatusCounts; steps: StatusCounts } {
    const counts = this.#tracker.counts();
    if (this.options.expected === undefined) return counts;
    return { ...counts, scenarios: { ...counts.scenarios, unfinished: this.missing().length } };
  }

  /** The part of file-finished this attempt knows: counts, missing scenarios, cucumber's version. */
  resultFields(): {
    scenarios: StatusCounts;
    steps: StatusCounts;
    missing?: ExpectedScenario[];
    cucumberVersion?: string;
  } {
    const missing = this.missing();
    return {
      ...this.counts(),
      ...(missing.length === 0 ? {} : { missing: missing.slice(0, MAX_MISSING_LISTED) }),
      ...(this.#cucumberVersion === undefined ? {} : { cucumberVersion: this.#cucumberVersion }),
    };
  }

  /** How the file went, for a container that exited by itself with this code. */
  verdict(exitCode: number, beforeCommand: boolean): Verdict {
    return cucumberVerdict({
      file: this.options.file,
      exitCode,
      beforeCommand,
      runnerStarted: this.#runnerStarted,
      runnerError: this.#runnerError,
      channelBroken: this.#decoder?.broken,
      runFinished: this.#tracker.sawRunFinish,
      missing: this.missing(),
      unfinished: this.#tracker.counts().scenarios.unfinished,
      statuses: this.#tracker.finishedStatuses,
      runFailure: this.#tracker.runFailure,
    });
  }

  #onMessage(message: ChannelMessage, json: string): void {
    const own = message['baleen'];
    if (own !== undefined) {
      this.#onRunnerMessage(own);
      return;
    }
    this.#tracker.ingest(message);
    if ('testRunStarted' in message) this.options.onRunStarted();
    if (this.#keptBytes + json.length > MAX_MESSAGES_BYTES) {
      this.#truncated = true;
      return;
    }
    this.#kept.push(json);
    this.#keptBytes += json.length + 1;
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
