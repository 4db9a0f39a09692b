/**
 * A cucumber message stream made up for scheduler tests: for each target (a file, or `file:LINE:LINE`), one
 * scenario per line, each with one step. Enough for the server's tracker and per-file streams; not a substitute
 * for cucumber-js where cucumber's behaviour is claimed (the e2e tests run the real one).
 */
export interface ScriptedFile {
  file: string;
  /** Scenario lines and how each ends. */
  scenarios: { line: number; status: 'PASSED' | 'FAILED' | 'PENDING' | 'UNDEFINED' }[];
}

export function scriptedCucumberRun(files: readonly ScriptedFile[], options: { finish?: boolean } = {}): unknown[] {
  const envelopes: unknown[] = [{ meta: { protocolVersion: '32.0.0' } }];
  let clock = 1;
  const at = (): { seconds: number; nanos: number } => ({ seconds: (clock += 1), nanos: 0 });
  for (const { file, scenarios } of files) {
    envelopes.push({
      gherkinDocument: {
        uri: file,
        feature: {
          children: scenarios.map(({ line }) => ({ scenario: { id: `${file}#${line}`, location: { line } } })),
        },
      },
    });
    for (const { line } of scenarios) {
      envelopes.push({
        pickle: {
          id: `p:${file}:${line}`,
          uri: file,
          name: `line ${line}`,
          astNodeIds: [`${file}#${line}`],
          steps: [],
        },
      });
    }
  }
  envelopes.push({ testRunStarted: { timestamp: at() } });
  for (const { file, scenarios } of files) {
    for (const { line } of scenarios) {
      envelopes.push({
        testCase: {
          id: `tc:${file}:${line}`,
          pickleId: `p:${file}:${line}`,
          testSteps: [{ id: `s:${file}:${line}`, pickleStepId: 'ps' }],
        },
      });
    }
  }
  for (const { file, scenarios } of files) {
    for (const { line, status } of scenarios) {
      const started = `tcs:${file}:${line}`;
      envelopes.push({
        testCaseStarted: { id: started, testCaseId: `tc:${file}:${line}`, attempt: 0, timestamp: at() },
      });
      envelopes.push({
        testStepFinished: { testCaseStartedId: started, testStepId: `s:${file}:${line}`, testStepResult: { status } },
      });
      envelopes.push({ testCaseFinished: { testCaseStartedId: started, timestamp: at(), willBeRetried: false } });
    }
  }
  if (options.finish !== false) envelopes.push({ testRunFinished: { success: true, timestamp: at() } });
  return envelopes;
}

/** Targets as the runner gets them (`file` or `file:LINE:LINE`) to the file and lines of each. */
export function parseTargets(
  targets: readonly string[],
  linesOf: (file: string) => number[],
): { file: string; lines: number[] }[] {
  return targets.map((target) => {
    const match = /^(.*?)((?::\d+)+)$/.exec(target);
    if (match === null) return { file: target, lines: linesOf(target) };
    return { file: match[1] ?? target, lines: (match[2] ?? '').split(':').filter(Boolean).map(Number) };
  });
}
