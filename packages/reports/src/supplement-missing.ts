// Puts the scenarios a file should have run, and did not, into its message stream, so that every report names
// them. A container that was killed, timed out, could not start cucumber-js or whose process exited early leaves a
// stream without some (or all) of its scenarios; the client knows which ones it expected (discovery) and has the
// feature file itself, so the missing ones become test cases of their own. merge-messages then finishes them as
// failures that say why they did not run.
/* eslint-disable @typescript-eslint/no-unsafe-class-instance-assignment --
   @cucumber/messages declares its messages as classes; here they are plain JSON objects. */
import { generateMessages } from '@cucumber/gherkin';
import {
  IdGenerator,
  SourceMediaType,
  type Envelope,
  type GherkinDocument,
  type Pickle,
  type TestCase,
} from '@cucumber/messages';
import type { ExpectedScenario } from '@baleen/protocol';

export interface MissingScenarios {
  /** The file's path, as its pickles' uri. */
  file: string;
  /** What the client expected the file to run; undefined when it did not know. */
  expected: readonly ExpectedScenario[] | undefined;
  /** The feature file as it is on this machine, to describe scenarios the stream never parsed. */
  sourceText: string | undefined;
}

/**
 * The envelopes to add to a file's stream so that each expected scenario has a pickle and a test case: `before`
 * go before its testRunStarted (source, document, pickles), `after` with its execution (test cases). Without an
 * expected list, every scenario of the feature file counts, when the stream has none of its own.
 */
export function supplementMissing(
  envelopes: readonly Envelope[],
  missing: MissingScenarios,
): { before: Envelope[]; after: Envelope[] } {
  const lines = pickleLines(envelopes);
  const pickles = envelopes.flatMap((envelope) => (envelope.pickle === undefined ? [] : [envelope.pickle]));
  const withTestCase = new Set(
    envelopes.flatMap((envelope) => (envelope.testCase ? [envelope.testCase.pickleId] : [])),
  );
  const hasDocument = envelopes.some((envelope) => envelope.gherkinDocument?.uri === missing.file);
  const before: Envelope[] = [];
  const after: Envelope[] = [];

  const wanted = (line: number | undefined): boolean =>
    missing.expected === undefined || missing.expected.some((scenario) => scenario.line === line);
  // Pickles the stream has but never made test cases of (cucumber stopped between the two).
  for (const pickle of pickles) {
    if (pickle.uri !== missing.file || withTestCase.has(pickle.id) || !wanted(lines.get(pickle.id))) continue;
    after.push({ testCase: testCaseFor(pickle) });
  }
  if (hasDocument || missing.sourceText === undefined) return { before, after };
  if (missing.expected === undefined && pickles.some((pickle) => pickle.uri === missing.file)) return { before, after };

  // The stream never parsed the file: parse it here, as cucumber-js would have.
  // @cucumber/gherkin declares its messages from @cucumber/messages' CommonJS types, this file from its ES module
  // types: the same package and version, two declarations of it.
  const parsed = generateMessages(
    missing.sourceText,
    missing.file,
    // eslint-disable-next-line @typescript-eslint/no-unsafe-enum-assignment -- the same enum, declared twice
    mediaTypeOf(missing.file),
    { includeSource: true, includeGherkinDocument: true, includePickles: true, newId: IdGenerator.uuid() },
  ) as unknown as readonly Envelope[];
  const generatedLines = pickleLines(parsed);
  for (const envelope of parsed) {
    if (envelope.pickle !== undefined) {
      if (!wanted(generatedLines.get(envelope.pickle.id))) continue;
      before.push(envelope);
      after.push({ testCase: testCaseFor(envelope.pickle) });
    } else if (envelope.source !== undefined || envelope.gherkinDocument !== undefined) {
      before.push(envelope);
    }
  }
  return { before, after };
}

function mediaTypeOf(file: string): SourceMediaType {
  return file.endsWith('.md')
    ? SourceMediaType.TEXT_X_CUCUMBER_GHERKIN_MARKDOWN
    : SourceMediaType.TEXT_X_CUCUMBER_GHERKIN_PLAIN;
}

/** A test case of a pickle that never ran: its steps, with no step definitions (none was matched). */
function testCaseFor(pickle: Pickle): TestCase {
  return {
    id: `baleen-missing-${pickle.id}`,
    pickleId: pickle.id,
    testSteps: pickle.steps.map((step) => ({
      id: `baleen-missing-${step.id}`,
      pickleStepId: step.id,
      stepDefinitionIds: [],
      stepMatchArgumentsLists: [],
    })),
  };
}

/** Each pickle's line: its example row's for an outline, else its scenario's (as cucumber-js reports it). */
export function pickleLines(envelopes: readonly Envelope[]): Map<string, number> {
  const nodeLines = new Map<string, number>();
  for (const envelope of envelopes) {
    if (envelope.gherkinDocument !== undefined) indexLines(envelope.gherkinDocument, nodeLines);
  }
  const lines = new Map<string, number>();
  for (const envelope of envelopes) {
    const pickle = envelope.pickle;
    if (pickle === undefined) continue;
    const line =
      pickle.astNodeIds
        .map((id) => nodeLines.get(id))
        .filter((found) => found !== undefined)
        .at(-1) ?? pickle.location?.line;
    if (line !== undefined) lines.set(pickle.id, line);
  }
  return lines;
}

function indexLines(document: GherkinDocument, into: Map<string, number>): void {
  const visit = (node: unknown): void => {
    if (typeof node !== 'object' || node === null) return;
    if (Array.isArray(node)) {
      for (const item of node) visit(item);
      return;
    }
    const record = node as Record<string, unknown>;
    const location = record['location'] as { line?: number } | undefined;
    if (typeof record['id'] === 'string' && typeof location?.line === 'number') into.set(record['id'], location.line);
    for (const [key, child] of Object.entries(record)) if (key !== 'location') visit(child);
  };
  visit(document.feature);
}
