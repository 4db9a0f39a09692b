// Writes whole-run reports from one cucumber message stream (see merge-messages.ts), with cucumber's own
// formatters: @cucumber/html-formatter for HTML and @cucumber/junit-xml-formatter for JUnit XML.
/* eslint-disable @typescript-eslint/no-unsafe-class-instance-assignment, @typescript-eslint/no-misused-spread --
   @cucumber/messages declares its messages as classes, but message streams are plain JSON objects: every envelope
   here is one, parsed from NDJSON or written as a literal, and nothing relies on the classes' prototypes. */
import { createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CucumberHtmlStream } from '@cucumber/html-formatter';
import { JUnitXmlPrinter } from '@cucumber/junit-xml-formatter';
import { testcaseLocations, withTestcaseLocations } from './junit-locations.js';
import { TestStepResultStatus, type Envelope, type TestStepFinished, type Timestamp } from '@cucumber/messages';

async function ensureParentDir(path: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
}

/** The envelopes as NDJSON (one JSON envelope a line), cucumber-js's `message` format. */
export async function writeMessagesReport(path: string, envelopes: readonly Envelope[]): Promise<void> {
  await ensureParentDir(path);
  await writeFile(
    path,
    envelopes.map((envelope) => `${JSON.stringify(envelope)}\n`),
    'utf8',
  );
}

/**
 * A JUnit XML report: one <testsuite> with a <testcase> per scenario (per example row of an outline), classname
 * the feature's name, with <failure> (type, message and stack or step message) for failed, undefined, pending and
 * ambiguous scenarios and <skipped> for skipped ones. Written by @cucumber/junit-xml-formatter's JUnitXmlPrinter.
 */
export async function writeJunitReport(
  path: string,
  envelopes: readonly Envelope[],
  options?: { suiteName?: string; filePath?: (uri: string) => string },
): Promise<void> {
  const chunks: string[] = [];
  const printer = new JUnitXmlPrinter(
    options?.suiteName !== undefined ? { suiteName: options.suiteName } : {},
    (content) => chunks.push(content),
  );
  const describe = stepDescriber(envelopes);
  let started = false;
  let finished = false;
  for (const envelope of envelopes) {
    started ||= envelope.testRunStarted !== undefined;
    finished ||= envelope.testRunFinished !== undefined;
    const update: Envelope =
      envelope.testStepFinished !== undefined
        ? { testStepFinished: withFailureMessage(envelope.testStepFinished, describe) }
        : envelope;
    printer.update(update);
  }
  // The printer writes its report when it sees testRunFinished: close a stream that has none (e.g. no files).
  if (!finished) {
    const timestamp: Timestamp = { seconds: 0, nanos: 0 };
    if (!started) printer.update({ testRunStarted: { timestamp } });
    printer.update({ testRunFinished: { timestamp, success: false } });
  }
  await ensureParentDir(path);
  const located = withTestcaseLocations(
    chunks.join(''),
    testcaseLocations(envelopes),
    options?.filePath ?? ((uri) => uri),
  );
  await writeFile(path, located, 'utf8');
}

/** cucumber's single-page HTML report (the same as cucumber-js's `html` format), with its CSS and JS inlined. */
export async function writeHtmlReport(path: string, envelopes: readonly Envelope[]): Promise<void> {
  await ensureParentDir(path);
  await pipeline(Readable.from(envelopes), new CucumberHtmlStream(), createWriteStream(path));
}

type StepDescriber = (testStepId: string) => string | undefined;

/** Describes a test step by id: the pickle step's text, or the hook's name or location. */
function stepDescriber(envelopes: readonly Envelope[]): StepDescriber {
  const pickleSteps = new Map<string, string>();
  const hooks = new Map<string, string>();
  const testSteps = new Map<string, { pickleStepId?: string; hookId?: string }>();
  for (const envelope of envelopes) {
    for (const step of envelope.pickle?.steps ?? []) pickleSteps.set(step.id, `"${step.text}"`);
    const hook = envelope.hook;
    if (hook !== undefined) {
      const where = hook.sourceReference.uri;
      const line = hook.sourceReference.location?.line;
      hooks.set(
        hook.id,
        hook.name ?? (where !== undefined ? `hook at ${where}${line !== undefined ? `:${line}` : ''}` : 'hook'),
      );
    }
    for (const step of envelope.testCase?.testSteps ?? []) testSteps.set(step.id, step);
  }
  return (testStepId) => {
    const step = testSteps.get(testStepId);
    if (step?.pickleStepId !== undefined) return pickleSteps.get(step.pickleStepId);
    if (step?.hookId !== undefined) return hooks.get(step.hookId);
    return undefined;
  };
}

const statusLabels: ReadonlyMap<TestStepResultStatus, string> = new Map([
  [TestStepResultStatus.UNDEFINED, 'Undefined step'],
  [TestStepResultStatus.PENDING, 'Pending step'],
  [TestStepResultStatus.AMBIGUOUS, 'Ambiguous step'],
  [TestStepResultStatus.UNKNOWN, 'Step with unknown status'],
  [TestStepResultStatus.FAILED, 'Failed step'],
]);

/**
 * The printer puts a failure's `message` attribute from the step result's exception, which cucumber only sets for
 * steps that threw: undefined and pending steps would be failures without a message. Give such results an
 * exception that says what happened (only in the copy the printer sees; the step result's own message, if any,
 * stays the failure's text).
 */
function withFailureMessage(finished: TestStepFinished, describe: StepDescriber): TestStepFinished {
  const result = finished.testStepResult;
  const label = statusLabels.get(result.status);
  if (label === undefined || result.exception !== undefined) return finished;
  const step = describe(finished.testStepId);
  const firstLine = result.message?.split('\n', 1)[0]?.trim();
  const message =
    result.status === TestStepResultStatus.FAILED && firstLine !== undefined && firstLine !== ''
      ? firstLine
      : `${label}${step !== undefined ? `: ${step}` : ''}`;
  return { ...finished, testStepResult: { ...result, exception: { type: result.status, message } } };
}
