import type { ExpectedScenario, FileMessagesMessage, RunFinishedMessage, ServerMessage } from '@baleen/protocol';
import type { FileView, RunDetailView, RunProgress, RunSummaryView, ScenarioView } from './dashboard-api.js';
import { OutputTail } from './output-tail.js';

/** Characters of output kept per running file for the live tail. */
export const OUTPUT_TAIL_CHARS = 64 * 1024;
/** Characters of a finished file's output kept for its page (the whole is in the client's reports). */
export const FINISHED_TAIL_CHARS = 8 * 1024;
/** Cucumber messages kept per run for its reports; past it the run's reports are left to its client. */
export const MAX_MESSAGE_CHARS_PER_RUN = 16 * 1024 * 1024;
/** Scenario results kept per run; a run with more keeps the ones that did not pass first. */
export const MAX_SCENARIOS_KEPT = 20_000;

/** What the dashboard knows of a run before its first event. */
export interface LiveRunInfo {
  runId: string;
  suite: string;
  client: string;
  owner: string;
  image: string;
  files: readonly string[];
  startedAt: number;
  /** What each file was expected to run, by index, when the client said (reports name what never ran). */
  expected?: readonly (readonly ExpectedScenario[] | undefined)[];
  /** Stops the run (for the dashboard's cancel, which only the run's own tenant may use). */
  cancel: (reason: string) => void;
}

/**
 * One run as the dashboard sees it, folded from the same messages its client receives: every file's state, the
 * scenarios so far, a bounded tail of each running file's output, and the cucumber messages for its reports.
 * Everything it holds is bounded by the run's size, never by how much its containers print.
 */
export class LiveRun {
  readonly files: FileView[];
  readonly #scenarios: ScenarioView[] = [];
  #scenariosDropped = 0;
  readonly #tails = new Map<number, OutputTail>();
  /** Each file's cucumber message streams of its last attempt (one per chunk when split). */
  readonly messages = new Map<number, Map<number, string>>();
  finished: RunFinishedMessage | undefined;
  /** Why the reports cannot be built here any more, once the messages were let go. */
  messagesDropped: string | undefined;
  #messageChars = 0;
  #scenariosPassed = 0;
  #scenariosFailed = 0;
  #cucumberRun = false;

  constructor(readonly info: LiveRunInfo) {
    this.files = info.files.map((file, index) => ({
      index,
      file,
      state: 'queued',
      attempt: 1,
      containerId: null,
      node: null,
      durationMs: null,
      startedAt: null,
      scenarios: null,
      error: null,
    }));
  }

  get runId(): string {
    return this.info.runId;
  }

  /** Folds one message in; returns the file whose view changed, if one did. */
  observe(message: ServerMessage): { file?: FileView; scenario?: ScenarioView } {
    switch (message.type) {
      case 'run-planned':
        return {};
      case 'file-started': {
        const file = this.files[message.fileIndex];
        if (file === undefined) return {};
        // A cucumber file is starting until its first scenario ends (its support code loading); another runner
        // is running as soon as its container is.
        file.state = this.#cucumberRun ? 'starting' : 'running';
        file.attempt = message.attempt;
        file.containerId = message.containerId;
        file.node = message.node ?? null;
        file.startedAt = Date.now();
        file.durationMs = null;
        file.error = null;
        this.#tails.set(message.fileIndex, new OutputTail(OUTPUT_TAIL_CHARS));
        return { file };
      }
      case 'scenario-finished': {
        const scenario: ScenarioView = {
          fileIndex: message.fileIndex,
          file: message.file,
          attempt: message.attempt,
          name: message.name,
          uri: message.uri,
          line: message.line,
          status: message.status,
          durationMs: message.durationMs,
          errorMessage: message.errorMessage ?? null,
        };
        this.#keepScenario(scenario);
        if (message.status === 'passed') this.#scenariosPassed += 1;
        else if (message.status === 'failed') this.#scenariosFailed += 1;
        const file = this.files[message.fileIndex];
        if (file?.state === 'starting') {
          file.state = 'running';
          return { file, scenario };
        }
        return { scenario };
      }
      case 'file-messages': {
        this.#keepMessages(message);
        return {};
      }
      case 'file-finished': {
        const file = this.files[message.fileIndex];
        if (file === undefined) return {};
        file.attempt = message.attempt;
        file.containerId = message.containerId;
        file.node = message.node ?? file.node;
        file.durationMs = message.durationMs;
        file.scenarios = message.scenarios ?? null;
        file.error = message.error?.message ?? null;
        file.startedAt = null;
        // An attempt that will be retried goes back to the queue; its output stays until the next one starts.
        file.state = message.willRetry === true ? 'queued' : message.status;
        const tail = this.#tails.get(message.fileIndex) ?? new OutputTail(FINISHED_TAIL_CHARS);
        const finishedTail = new OutputTail(FINISHED_TAIL_CHARS);
        // What the container printed, as its file's result kept it (the live tail may have missed the start).
        finishedTail.append(message.stdout + (message.stderr === '' ? '' : `\n${message.stderr}`));
        if (finishedTail.text() === '' && tail.text() !== '') finishedTail.append(tail.text());
        this.#tails.set(message.fileIndex, finishedTail);
        return { file };
      }
      case 'run-finished':
        this.finished = message;
        return {};
      default:
        return {};
    }
  }

  /** Marks the run as cucumber's (file-started then means its support code is still loading). */
  set cucumberRun(value: boolean) {
    this.#cucumberRun = value;
  }

  /** A running file's output; returns the text to stream when the file is one this run knows. */
  output(fileIndex: number, text: string): boolean {
    const tail = this.#tails.get(fileIndex);
    if (tail === undefined) return false;
    tail.append(text);
    return true;
  }

  tail(fileIndex: number): { text: string; droppedBytes: number; live: boolean } | undefined {
    const tail = this.#tails.get(fileIndex);
    const file = this.files[fileIndex];
    if (file === undefined) return undefined;
    return {
      text: tail?.text() ?? '',
      droppedBytes: tail?.droppedChars ?? 0,
      live: file.state === 'starting' || file.state === 'running',
    };
  }

  progress(): RunProgress {
    let done = 0;
    let running = 0;
    let starting = 0;
    let queued = 0;
    for (const file of this.files) {
      if (file.state === 'queued') queued += 1;
      else if (file.state === 'starting') starting += 1;
      else if (file.state === 'running') running += 1;
      else done += 1;
    }
    return {
      done,
      running,
      starting,
      queued,
      scenariosPassed: this.#scenariosPassed,
      scenariosFailed: this.#scenariosFailed,
    };
  }

  summary(own: boolean, queuePosition: number): RunSummaryView {
    const { info, finished } = this;
    return {
      runId: info.runId,
      suite: info.suite,
      client: info.client,
      image: info.image,
      fileCount: info.files.length,
      startedAt: info.startedAt,
      status: finished?.status ?? null,
      wallTimeMs: finished?.wallTimeMs ?? null,
      totals: finished?.totals ?? null,
      progress: this.progress(),
      queuePosition: finished === undefined ? queuePosition : 0,
      own,
    };
  }

  detail(own: boolean, queuePosition: number): RunDetailView {
    return {
      summary: this.summary(own, queuePosition),
      files: this.files,
      scenarios: this.#scenarios,
      scenariosDropped: this.#scenariosDropped,
      live: true,
    };
  }

  /** Containers of this run's running files, by node (Swarm). */
  nodes(): string[] {
    const nodes: string[] = [];
    for (const file of this.files) {
      if ((file.state === 'running' || file.state === 'starting') && file.node !== null) nodes.push(file.node);
    }
    return nodes;
  }

  #keepScenario(scenario: ScenarioView): void {
    if (this.#scenarios.length < MAX_SCENARIOS_KEPT) {
      this.#scenarios.push(scenario);
      return;
    }
    // Full: a failure still gets in, in place of the oldest pass; a pass is counted, not kept.
    this.#scenariosDropped += 1;
    if (scenario.status === 'passed') return;
    const oldestPass = this.#scenarios.findIndex((kept) => kept.status === 'passed');
    if (oldestPass >= 0) {
      this.#scenarios.splice(oldestPass, 1);
      this.#scenarios.push(scenario);
    }
  }

  /** Lets the message streams go (memory), saying why the reports are not here. */
  dropMessages(why: string): void {
    this.messages.clear();
    this.#messageChars = 0;
    this.messagesDropped ??= why;
  }

  #keepMessages(message: FileMessagesMessage): void {
    if (this.messagesDropped !== undefined) return;
    this.#messageChars += message.ndjson.length;
    if (this.#messageChars > MAX_MESSAGE_CHARS_PER_RUN) {
      this.dropMessages(
        `the run's cucumber messages passed the ${MAX_MESSAGE_CHARS_PER_RUN / 1024 / 1024} MiB the dashboard keeps per run`,
      );
      return;
    }
    // A new attempt replaces the last one's streams: reports count a file's last attempt.
    let streams = this.messages.get(message.fileIndex);
    const attemptOf = this.#attempts.get(message.fileIndex);
    if (streams === undefined || attemptOf !== message.attempt) {
      streams = new Map();
      this.messages.set(message.fileIndex, streams);
      this.#attempts.set(message.fileIndex, message.attempt);
    }
    streams.set(message.chunk?.part ?? 0, message.ndjson);
  }

  readonly #attempts = new Map<number, number>();
}
