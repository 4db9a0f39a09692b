import type { Envelope } from '@cucumber/messages';

export interface TestcaseLocation {
  file: string;
  line: number | undefined;
}

/**
 * Where each <testcase> of the JUnit report comes from, in the report's order: JUnitXmlPrinter lists the final
 * attempt of every test case (one that will be retried is left out), sorted by its pickle's uri, then line.
 */
export function testcaseLocations(envelopes: readonly Envelope[]): TestcaseLocation[] {
  const pickles = new Map<string, { uri: string; line: number | undefined; astNodeIds: readonly string[] }>();
  const scenarioLines = new Map<string, number>();
  const pickleOfTestCase = new Map<string, string>();
  const started: { id: string; testCaseId: string }[] = [];
  const retried = new Set<string>();
  for (const envelope of envelopes) {
    const document = envelope.gherkinDocument;
    for (const child of document?.feature?.children ?? []) {
      const scenarios = [child.scenario, ...(child.rule?.children ?? []).map((ruleChild) => ruleChild.scenario)];
      for (const scenario of scenarios) {
        if (scenario === undefined) continue;
        scenarioLines.set(scenario.id, scenario.location.line);
        for (const examples of scenario.examples) {
          for (const row of examples.tableBody) scenarioLines.set(row.id, row.location.line);
        }
      }
    }
    const pickle = envelope.pickle;
    if (pickle !== undefined) {
      const located = (pickle as { location?: { line: number } }).location;
      pickles.set(pickle.id, { uri: pickle.uri, line: located?.line, astNodeIds: pickle.astNodeIds });
    }
    if (envelope.testCase !== undefined) pickleOfTestCase.set(envelope.testCase.id, envelope.testCase.pickleId);
    if (envelope.testCaseStarted !== undefined)
      started.push({ id: envelope.testCaseStarted.id, testCaseId: envelope.testCaseStarted.testCaseId });
    if (envelope.testCaseFinished?.willBeRetried === true) retried.add(envelope.testCaseFinished.testCaseStartedId);
  }
  const locations = started
    .filter((testCase) => !retried.has(testCase.id))
    .map((testCase) => {
      const pickle = pickles.get(pickleOfTestCase.get(testCase.testCaseId) ?? '');
      // An outline's example row is the last AST node; a plain scenario the only one.
      const astLine = [...(pickle?.astNodeIds ?? [])].reverse().find((id) => scenarioLines.has(id));
      return {
        file: pickle?.uri ?? '',
        line: pickle?.line ?? (astLine === undefined ? undefined : scenarioLines.get(astLine)),
      };
    });
  // Sorted as the printer sorts (a stable sort, by uri then line).
  return locations.sort((a, b) =>
    a.file !== b.file
      ? a.file.localeCompare(b.file)
      : a.line === undefined
        ? b.line === undefined
          ? 0
          : -1
        : b.line === undefined
          ? 1
          : a.line - b.line,
  );
}

/**
 * GitLab's test report links a test case to its file through a `file` attribute; the line is added as `line`.
 * Each is put on the <testcase> at the same place in the report; when the counts differ, the report is left as
 * it was rather than give a case another's place.
 */
export function withTestcaseLocations(
  xml: string,
  locations: readonly TestcaseLocation[],
  toPath: (uri: string) => string,
): string {
  const count = xml.match(/<testcase /g)?.length ?? 0;
  if (count !== locations.length) return xml;
  let index = 0;
  return xml.replace(/<testcase /g, (opening) => {
    const location = locations[index];
    index += 1;
    if (location === undefined || location.file === '') return opening;
    const line = location.line === undefined ? '' : ` line="${location.line}"`;
    return `${opening}file="${escapeAttribute(toPath(location.file))}"${line} `;
  });
}

function escapeAttribute(text: string): string {
  return text.replace(/[&<>"]/g, (char) => `&#${char.charCodeAt(0)};`);
}
