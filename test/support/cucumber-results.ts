// Scenario results and summary lines computed from a cucumber message stream the way cucumber-js computes them,
// for any cucumber-js from 7 on. Only the fields read here are typed: they are the same in every protocol version
// from 16 (cucumber-js 7) to 32 (cucumber-js 12), except where a retry is recorded (see `attemptWillBeRetried`).

export type ScenarioStatus = 'passed' | 'skipped' | 'pending' | 'undefined' | 'ambiguous' | 'failed' | 'unknown';

export interface ScenarioResult {
  uri: string;
  /** The scenario's line, or for a Scenario Outline the line of its example row, as cucumber reports it. */
  line: number;
  name: string;
  status: ScenarioStatus;
}

export interface SummaryLines {
  /** e.g. `24 scenarios (1 failed, 23 passed)` */
  scenarios: string;
  /** e.g. `70 steps (1 failed, 3 skipped, 66 passed)` */
  steps: string;
}

export interface Attachment {
  mediaType: string;
  body: string;
  contentEncoding: string;
}

export interface CucumberResults {
  scenarios: ScenarioResult[];
  /** The `N scenarios (...)` and `N steps (...)` lines cucumber's summary prints for these results. */
  summary: SummaryLines;
  attachments: Attachment[];
}

interface Location {
  line: number;
}
interface AstScenario {
  id: string;
  location: Location;
  examples?: { tableBody?: { id: string; location: Location }[] }[];
}
interface AstChild {
  scenario?: AstScenario;
  rule?: { children?: AstChild[] };
}
interface StepResult {
  status: string;
  /** cucumber-js 7 marks a retried attempt on its step results. */
  willBeRetried?: boolean;
}
interface Envelope {
  gherkinDocument?: { uri?: string; feature?: { children?: AstChild[] } };
  pickle?: { id: string; uri: string; name: string; astNodeIds: string[] };
  testCase?: { id: string; pickleId: string; testSteps: { id: string; pickleStepId?: string }[] };
  testCaseStarted?: { id: string; testCaseId: string };
  testStepFinished?: { testCaseStartedId: string; testStepId: string; testStepResult: StepResult };
  /** cucumber-js 8 and later mark a retried attempt here. */
  testCaseFinished?: { testCaseStartedId: string; willBeRetried?: boolean };
  attachment?: Attachment;
}

// cucumber's own order, best to worst (the order of TestStepResultStatus): a scenario is its worst step.
const STATUS_ORDER: readonly ScenarioStatus[] = [
  'unknown',
  'passed',
  'skipped',
  'pending',
  'undefined',
  'ambiguous',
  'failed',
];
// The order of the counts in cucumber's summary lines.
const SUMMARY_ORDER: readonly ScenarioStatus[] = ['failed', 'ambiguous', 'undefined', 'pending', 'skipped', 'passed'];
const ENVELOPE_KEYS = new Set([
  'gherkinDocument',
  'pickle',
  'testCase',
  'testCaseStarted',
  'testStepFinished',
  'testCaseFinished',
  'attachment',
]);

/**
 * The envelopes this module reads, from NDJSON that may be mixed with other output: a step that writes to the
 * same stream without a final newline puts its text in front of the next envelope on the same line.
 */
export function envelopesIn(text: string): Envelope[] {
  const envelopes: Envelope[] = [];
  for (const line of text.split('\n')) {
    for (let start = line.indexOf('{"'); start !== -1; start = line.indexOf('{"', start + 1)) {
      const parsed = parseEnvelope(line.slice(start));
      if (parsed === 'not json') continue;
      if (parsed !== undefined) envelopes.push(parsed);
      break;
    }
  }
  return envelopes;
}

function parseEnvelope(text: string): Envelope | undefined | 'not json' {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'not json';
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const keys = Object.keys(value);
  return keys.length === 1 && ENVELOPE_KEYS.has(keys[0]!) ? (value as Envelope) : undefined;
}

export function resultsFromEnvelopes(envelopes: readonly Envelope[]): CucumberResults {
  const lineOfAstNode = new Map<string, number>();
  const pickles = new Map<string, NonNullable<Envelope['pickle']>>();
  const testCases = new Map<string, NonNullable<Envelope['testCase']>>();
  const attempts = new Map<string, { testCaseId: string; steps: StepResult[]; stepIds: string[] }>();
  const finished: { testCaseStartedId: string; willBeRetried: boolean }[] = [];
  const attachments: Attachment[] = [];

  for (const envelope of envelopes) {
    if (envelope.gherkinDocument !== undefined) {
      indexLines(envelope.gherkinDocument.feature?.children ?? [], lineOfAstNode);
    } else if (envelope.pickle !== undefined) {
      pickles.set(envelope.pickle.id, envelope.pickle);
    } else if (envelope.testCase !== undefined) {
      testCases.set(envelope.testCase.id, envelope.testCase);
    } else if (envelope.testCaseStarted !== undefined) {
      attempts.set(envelope.testCaseStarted.id, {
        testCaseId: envelope.testCaseStarted.testCaseId,
        steps: [],
        stepIds: [],
      });
    } else if (envelope.testStepFinished !== undefined) {
      const attempt = attempts.get(envelope.testStepFinished.testCaseStartedId);
      attempt?.steps.push(envelope.testStepFinished.testStepResult);
      attempt?.stepIds.push(envelope.testStepFinished.testStepId);
    } else if (envelope.testCaseFinished !== undefined) {
      finished.push({
        testCaseStartedId: envelope.testCaseFinished.testCaseStartedId,
        willBeRetried: envelope.testCaseFinished.willBeRetried === true,
      });
    } else if (envelope.attachment !== undefined) {
      attachments.push(envelope.attachment);
    }
  }

  const scenarios: ScenarioResult[] = [];
  const stepStatuses: ScenarioStatus[] = [];
  for (const { testCaseStartedId, willBeRetried } of finished) {
    const attempt = attempts.get(testCaseStartedId);
    if (attempt === undefined) throw new Error(`testCaseFinished for an unknown attempt ${testCaseStartedId}`);
    // As cucumber does: an attempt that will be retried is not a result; the last attempt is.
    if (willBeRetried || attempt.steps.some((step) => step.willBeRetried === true)) continue;
    const testCase = testCases.get(attempt.testCaseId);
    const pickle = testCase && pickles.get(testCase.pickleId);
    if (testCase === undefined || pickle === undefined)
      throw new Error(`no test case or pickle for ${testCaseStartedId}`);
    const astNodeId = pickle.astNodeIds.at(-1);
    const line = astNodeId === undefined ? undefined : lineOfAstNode.get(astNodeId);
    if (line === undefined) throw new Error(`no line for the pickle ${pickle.name} of ${pickle.uri}`);
    const statuses = attempt.steps.map((step) => normalizeStatus(step.status));
    scenarios.push({ uri: pickle.uri, line, name: pickle.name, status: worst(statuses) });
    // Hooks count towards a scenario's status, but only steps are counted as steps.
    const pickleStepIds = new Set(testCase.testSteps.filter((s) => s.pickleStepId !== undefined).map((s) => s.id));
    attempt.stepIds.forEach((id, index) => {
      if (pickleStepIds.has(id)) stepStatuses.push(statuses[index]!);
    });
  }
  return {
    scenarios,
    summary: {
      scenarios: summaryLine(
        'scenario',
        scenarios.map((s) => s.status),
      ),
      steps: summaryLine('step', stepStatuses),
    },
    attachments,
  };
}

function indexLines(children: readonly AstChild[], lines: Map<string, number>): void {
  for (const child of children) {
    if (child.scenario !== undefined) {
      lines.set(child.scenario.id, child.scenario.location.line);
      for (const examples of child.scenario.examples ?? []) {
        for (const row of examples.tableBody ?? []) lines.set(row.id, row.location.line);
      }
    }
    if (child.rule !== undefined) indexLines(child.rule.children ?? [], lines);
  }
}

function normalizeStatus(status: string): ScenarioStatus {
  const lower = status.toLowerCase() as ScenarioStatus;
  if (!STATUS_ORDER.includes(lower)) throw new Error(`unknown step status ${status}`);
  return lower;
}

/** A scenario without a step result passes, as in cucumber. */
function worst(statuses: readonly ScenarioStatus[]): ScenarioStatus {
  return statuses.reduce<ScenarioStatus>(
    (worstSoFar, status) => (STATUS_ORDER.indexOf(status) > STATUS_ORDER.indexOf(worstSoFar) ? status : worstSoFar),
    'passed',
  );
}

/** `3 scenarios (1 failed, 2 passed)`, `1 step (1 passed)`, `0 scenarios`: cucumber's wording. */
export function summaryLine(noun: 'scenario' | 'step', statuses: readonly ScenarioStatus[]): string {
  const head = `${statuses.length} ${noun}${statuses.length === 1 ? '' : 's'}`;
  if (statuses.length === 0) return head;
  const counts = SUMMARY_ORDER.map((status) => [status, statuses.filter((s) => s === status).length] as const)
    .filter(([, count]) => count > 0)
    .map(([status, count]) => `${count} ${status}`);
  return `${head} (${counts.join(', ')})`;
}

/** The `N scenarios (...)` and `N steps (...)` lines that start a line of printed output, in order. */
export function printedSummaryLines(output: string): string[] {
  return output
    .split('\n')
    .map((line) => line.trimEnd())
    .filter((line) => /^\d+ (scenarios?|steps?)( \(.*\))?$/.test(line));
}

/** Sorted by file, line and name, so that two runs' results compare as sets. */
export function sortedScenarios(scenarios: readonly ScenarioResult[]): ScenarioResult[] {
  return [...scenarios].sort((a, b) => a.uri.localeCompare(b.uri) || a.line - b.line || a.name.localeCompare(b.name));
}
