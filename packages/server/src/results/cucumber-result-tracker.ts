import type { ScenarioStatus, StatusCounts } from '@baleen/protocol';
import { emptyCounts, toScenarioStatus, worstStatus } from './status-counts.js';

export interface ScenarioResult {
  name: string;
  uri: string;
  line: number | null;
  status: ScenarioStatus;
  durationMs: number;
  errorMessage?: string;
}

/** Loose views of the envelope fields used here; everything is checked before use. */
interface Timestamp {
  seconds?: number;
  nanos?: number;
}
interface TestStep {
  id?: string;
  pickleStepId?: string;
}
interface StepResult {
  status?: string;
  willBeRetried?: boolean;
  message?: string;
  exception?: { message?: string };
}

/** What one feature file of the stream did (a container may run several). */
interface FileResults {
  scenarios: StatusCounts;
  steps: StatusCounts;
  /** Lines of the scenarios that finished, for matching them to the ones the client expected. */
  finishedLines: Set<number>;
  statuses: ScenarioStatus[];
  /** cucumber's clock, ms: when its first scenario started and its last one finished. */
  firstStartedAt: number | undefined;
  lastFinishedAt: number | undefined;
}

const MAX_ERROR_MESSAGE = 4_000;

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function millis(timestamp: Timestamp | undefined): number {
  return (timestamp?.seconds ?? 0) * 1000 + (timestamp?.nanos ?? 0) / 1e6;
}

/**
 * Follows one cucumber process's message stream and turns it into scenario results as they finish, and into
 * counts, per feature file, that match cucumber's own summary: a scenario's status is its worst step result
 * (hooks included), steps are counted without hooks, and attempts cucumber itself will retry are not counted.
 */
export class CucumberResultTracker {
  readonly #lines = new Map<string, number>();
  readonly #pickles = new Map<string, { name: string; uri: string; astNodeIds: string[] }>();
  readonly #testCases = new Map<string, { pickleId: string; steps: TestStep[] }>();
  readonly #started = new Map<string, { testCaseId: string; at: number; results: Map<string, StepResult> }>();
  readonly #finishedTestCases = new Set<string>();
  readonly #files = new Map<string, FileResults>();
  readonly #runHooks = new Map<string, string>();
  readonly #runHookFailures: string[] = [];
  #runFinished = false;
  #runFailure: string | undefined;

  constructor(private readonly onScenario: (result: ScenarioResult) => void) {}

  get sawRunFinish(): boolean {
    return this.#runFinished;
  }

  /** Why the run as a whole failed beyond its scenarios: a BeforeAll/AfterAll hook, or cucumber's own message. */
  get runFailure(): string | undefined {
    return this.#runHookFailures[0] ?? this.#runFailure;
  }

  /** Whether the scenario at this line of a file finished (its final attempt). */
  finished(uri: string, line: number): boolean {
    return this.#files.get(uri)?.finishedLines.has(line) ?? false;
  }

  /** Statuses of a file's scenarios that finished (every file's, without a uri). */
  statuses(uri?: string): readonly ScenarioStatus[] {
    if (uri !== undefined) return this.#files.get(uri)?.statuses ?? [];
    return [...this.#files.values()].flatMap((file) => file.statuses);
  }

  /** Whether any scenario of a file has started. */
  started(uri: string): boolean {
    return this.#files.get(uri)?.firstStartedAt !== undefined;
  }

  /** How long a file's scenarios took, first start to last finish, by cucumber's clock. */
  spanMs(uri: string): number | undefined {
    const file = this.#files.get(uri);
    if (file?.firstStartedAt === undefined || file.lastFinishedAt === undefined) return undefined;
    return Math.max(0, Math.round(file.lastFinishedAt - file.firstStartedAt));
  }

  ingest(envelope: Record<string, unknown>): void {
    const [kind, body] = Object.entries(envelope)[0] ?? [];
    if (typeof body !== 'object' || body === null) return;
    const value = body as Record<string, unknown>;
    switch (kind) {
      case 'gherkinDocument':
        this.#indexLines(value['feature']);
        return;
      case 'pickle':
        if (typeof value['id'] === 'string') {
          this.#pickles.set(value['id'], {
            name: str(value['name']),
            uri: str(value['uri']),
            astNodeIds: Array.isArray(value['astNodeIds']) ? value['astNodeIds'].map(String) : [],
          });
        }
        return;
      case 'testCase':
        if (typeof value['id'] === 'string') {
          this.#testCases.set(value['id'], {
            pickleId: str(value['pickleId']),
            steps: Array.isArray(value['testSteps']) ? (value['testSteps'] as TestStep[]) : [],
          });
        }
        return;
      case 'hook':
        if (typeof value['id'] === 'string') this.#runHooks.set(value['id'], describeHook(value));
        return;
      case 'testRunHookStarted':
        if (typeof value['id'] === 'string') {
          this.#runHooks.set(value['id'], this.#runHooks.get(str(value['hookId'])) ?? 'a BeforeAll/AfterAll hook');
        }
        return;
      case 'testRunHookFinished': {
        const result = value['result'] as StepResult | undefined;
        if (toScenarioStatus(result?.status) === 'failed') {
          const hook = this.#runHooks.get(str(value['testRunHookStartedId'])) ?? 'a BeforeAll/AfterAll hook';
          const message = (result?.message ?? result?.exception?.message ?? '').split('\n', 1)[0] ?? '';
          this.#runHookFailures.push(`${hook} failed${message === '' ? '' : `: ${message}`}`);
        }
        return;
      }
      case 'testRunFinished': {
        this.#runFinished = true;
        const exception = value['exception'] as { message?: string } | undefined;
        const message = str(value['message']) || str(exception?.message);
        if (value['success'] === false && message !== '') this.#runFailure = message.split('\n', 1)[0];
        return;
      }
      case 'testCaseStarted':
        if (typeof value['id'] === 'string') {
          const at = millis(value['timestamp'] as Timestamp | undefined);
          this.#started.set(value['id'], { testCaseId: str(value['testCaseId']), at, results: new Map() });
          const file = this.#fileOfTestCase(str(value['testCaseId']));
          if (file !== undefined) file.firstStartedAt ??= at;
        }
        return;
      case 'testStepFinished': {
        const started = this.#started.get(str(value['testCaseStartedId']));
        if (started !== undefined && typeof value['testStepId'] === 'string') {
          started.results.set(value['testStepId'], value['testStepResult'] ?? {});
        }
        return;
      }
      case 'testCaseFinished':
        this.#finishTestCase(str(value['testCaseStartedId']), value);
        return;
      default:
        return;
    }
  }

  /** Counts so far, of one file or of all; test cases that never finished count as unfinished scenarios. */
  counts(uri?: string): { scenarios: StatusCounts; steps: StatusCounts } {
    const scenarios = emptyCounts();
    const steps = emptyCounts();
    for (const [fileUri, file] of this.#files) {
      if (uri !== undefined && fileUri !== uri) continue;
      addInto(scenarios, file.scenarios);
      addInto(steps, file.steps);
    }
    scenarios.unfinished = [...this.#testCases.entries()].filter(
      ([id, testCase]) =>
        !this.#finishedTestCases.has(id) && (uri === undefined || this.#pickles.get(testCase.pickleId)?.uri === uri),
    ).length;
    return { scenarios, steps };
  }

  #file(uri: string): FileResults {
    let file = this.#files.get(uri);
    if (file === undefined) {
      file = {
        scenarios: emptyCounts(),
        steps: emptyCounts(),
        finishedLines: new Set(),
        statuses: [],
        firstStartedAt: undefined,
        lastFinishedAt: undefined,
      };
      this.#files.set(uri, file);
    }
    return file;
  }

  #fileOfTestCase(testCaseId: string): FileResults | undefined {
    const pickle = this.#pickles.get(this.#testCases.get(testCaseId)?.pickleId ?? '');
    return pickle === undefined ? undefined : this.#file(pickle.uri);
  }

  #finishTestCase(startedId: string, value: Record<string, unknown>): void {
    const started = this.#started.get(startedId);
    if (started === undefined || value['willBeRetried'] === true) return;
    // cucumber-js 7 marks an attempt it will retry on its step results rather than on testCaseFinished.
    if ([...started.results.values()].some((result) => result.willBeRetried === true)) return;
    const testCase = this.#testCases.get(started.testCaseId);
    if (testCase === undefined) return;
    this.#finishedTestCases.add(started.testCaseId);
    const results = testCase.steps.map((step) => started.results.get(step.id ?? ''));
    const status = worstStatus(results.map((result) => toScenarioStatus(result?.status)));
    const failure = results.find(
      (result) => result !== undefined && toScenarioStatus(result.status) === status && status !== 'passed',
    );
    const message = failure?.message ?? failure?.exception?.message;
    const pickle = this.#pickles.get(testCase.pickleId);
    const line =
      pickle?.astNodeIds
        .map((id) => this.#lines.get(id))
        .filter((l) => l !== undefined)
        .at(-1) ?? null;
    const finishedAt = millis(value['timestamp'] as Timestamp | undefined);
    const file = this.#file(pickle?.uri ?? '');
    file.scenarios[status] += 1;
    testCase.steps.forEach((step, i) => {
      if (step.pickleStepId !== undefined) file.steps[toScenarioStatus(results[i]?.status)] += 1;
    });
    if (line !== null) file.finishedLines.add(line);
    file.statuses.push(status);
    file.lastFinishedAt = Math.max(file.lastFinishedAt ?? finishedAt, finishedAt);
    this.onScenario({
      name: pickle?.name ?? '(unknown scenario)',
      uri: pickle?.uri ?? '',
      line,
      status,
      durationMs: Math.max(0, Math.round(finishedAt - started.at)),
      ...(message === undefined ? {} : { errorMessage: message.slice(0, MAX_ERROR_MESSAGE) }),
    });
  }

  /** Scenario and example-row ids to their lines, so a pickle's line is its row (outlines) or its scenario. */
  #indexLines(node: unknown): void {
    if (typeof node !== 'object' || node === null) return;
    if (Array.isArray(node)) {
      for (const item of node) this.#indexLines(item);
      return;
    }
    const record = node as Record<string, unknown>;
    const location = record['location'] as { line?: number } | undefined;
    if (typeof record['id'] === 'string' && typeof location?.line === 'number')
      this.#lines.set(record['id'], location.line);
    for (const [key, child] of Object.entries(record)) {
      if (key !== 'location' && typeof child === 'object') this.#indexLines(child);
    }
  }
}

function addInto(into: StatusCounts, from: StatusCounts): void {
  for (const key of Object.keys(into) as (keyof StatusCounts)[]) into[key] += from[key];
}

/** A hook by its name, else where it is defined. */
function describeHook(hook: Record<string, unknown>): string {
  const name = str(hook['name']);
  const where = hook['sourceReference'] as { uri?: string; location?: { line?: number } } | undefined;
  const at =
    where?.uri === undefined
      ? ''
      : ` (${where.uri}${where.location?.line === undefined ? '' : `:${where.location.line}`})`;
  const kind = str(hook['type']).toLowerCase().includes('after') ? 'AfterAll' : 'BeforeAll';
  return name === '' ? `${kind} hook${at}` : `${kind} hook '${name}'${at}`;
}
