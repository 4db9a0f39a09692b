// Merges the cucumber message streams of many single-file cucumber-js runs (one container per feature file) into
// one message stream for the whole run, as if one cucumber-js process had run every file.
//
// Each container's stream is a complete, valid stream of its own: meta, then the definitions (source,
// gherkinDocument, pickle, stepDefinition, hook, parameterType...), then testRunStarted, the test cases and their
// steps, and testRunFinished. Ids are random UUIDs in cucumber-js, but nothing in the protocol promises that, and
// every container defines the same step definitions and hooks under ids of its own, so every id is prefixed with
// `f<fileIndex>-` to make it unique across files. The run-level messages (meta, testRunStarted, testRunFinished)
// are kept once, and every testRunStartedId points at the one testRunStarted that is kept.
//
// A stream without testRunFinished comes from a container that stopped mid-run (killed at its timeout, crashed).
// Its unfinished test case is closed with a FAILED step and the test cases it never started get a SKIPPED
// attempt, both saying why (see INCOMPLETE_RUN_EXCEPTION_TYPE), so that reports count them rather than showing
// the started one as passed and leaving the rest out.
/* eslint-disable @typescript-eslint/no-unsafe-class-instance-assignment, @typescript-eslint/no-misused-spread --
   @cucumber/messages declares its messages as classes, but message streams are plain JSON objects: every envelope
   here is one, parsed from NDJSON or written as a literal, and nothing relies on the classes' prototypes. */
import {
  TestStepResultStatus,
  type Envelope,
  type Exception,
  type Meta,
  type TestCase,
  type TestRunFinished,
  type TestRunStarted,
  type TestStepResult,
  type Timestamp,
} from '@cucumber/messages';
import { CUCUMBER_ENVELOPE_TYPES } from '@baleen/protocol';
import { supplementMissing, type MissingScenarios } from './supplement-missing.js';

export interface FileMessages {
  fileIndex: number;
  file: string;
  ndjson: string;
  /**
   * For a file that did not pass: the scenarios it should have run, so that the ones its stream lacks are added
   * as failures that did not run.
   */
  missing?: MissingScenarios;
  /** Why the file did not pass (its error), for the failures made up for it. */
  reason?: string;
}

/** The envelope types of @cucumber/messages 32.x, one list shared with the server's envelope splitter. */
export const ENVELOPE_TYPES: readonly string[] = CUCUMBER_ENVELOPE_TYPES;
const envelopeTypes: ReadonlySet<string> = new Set(ENVELOPE_TYPES);

/** Envelopes that define things a run refers to, when a stream has no testRunStarted to tell them apart by place. */
const definitionTypes: ReadonlySet<string> = new Set([
  'source',
  'gherkinDocument',
  'pickle',
  'parseError',
  'stepDefinition',
  'hook',
  'parameterType',
  'undefinedParameterType',
]);

/** The exception type of the step results made up for a stream that ended mid-run. */
export const INCOMPLETE_RUN_EXCEPTION_TYPE = 'BaleenIncompleteRun';
/** The exception type of the results made up for scenarios that never started. */
export const NOT_RUN_EXCEPTION_TYPE = 'BaleenNotRun';

/** Id of the testRunStarted made up when no file has one (e.g. every container died before its run started). */
const SYNTHETIC_RUN_ID = 'baleen-test-run';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** The envelope on one line, or undefined when the line is not one. */
function parseLine(line: string): JsonObject | undefined {
  let value = parseJson(line);
  if (value === undefined) {
    // The stream is the container's stderr: other output written without a newline can end up glued to the
    // front or back of an envelope's line. Try the part between the first '{' and the last '}'.
    const start = line.indexOf('{');
    const end = line.lastIndexOf('}');
    if (start < 0 || end <= start || (start === 0 && end === line.length - 1)) return undefined;
    value = parseJson(line.slice(start, end + 1));
  }
  if (!isObject(value)) return undefined;
  const keys = Object.keys(value);
  if (keys.length !== 1) return undefined;
  const [type] = keys;
  if (type === undefined || !envelopeTypes.has(type) || !isObject(value[type])) return undefined;
  return value;
}

/**
 * The cucumber envelopes in an NDJSON text, in order. Lines that are not valid JSON, and JSON that is not an
 * envelope of a known type, are skipped.
 */
export function parseEnvelopes(ndjson: string): Envelope[] {
  const envelopes: Envelope[] = [];
  for (const rawLine of ndjson.split('\n')) {
    const line = rawLine.trim();
    if (line === '') continue;
    const envelope = parseLine(line);
    if (envelope !== undefined) envelopes.push(envelope);
  }
  return envelopes;
}

function isIdKey(key: string): boolean {
  return key === 'id' || key.endsWith('Id') || key.endsWith('Ids');
}

/**
 * A deep copy of `value` with every id value prefixed: the string or string[] values of keys named `id` or
 * ending in `Id` / `Ids`, at any depth. testRunStartedId values all become `runId`.
 */
function rewriteIds(value: Json, prefix: string, runId: string): Json {
  if (Array.isArray(value)) return value.map((item) => rewriteIds(item, prefix, runId));
  if (!isObject(value)) return value;
  const copy: JsonObject = {};
  for (const [key, child] of Object.entries(value)) {
    if (key === 'testRunStartedId' && typeof child === 'string') {
      copy[key] = runId;
    } else if (isIdKey(key) && typeof child === 'string') {
      copy[key] = prefix + child;
    } else if (isIdKey(key) && Array.isArray(child) && child.every((item) => typeof item === 'string')) {
      copy[key] = child.map((item) => prefix + item);
    } else {
      copy[key] = rewriteIds(child, prefix, runId);
    }
  }
  return copy;
}

function compareTimestamps(a: Timestamp, b: Timestamp): number {
  return a.seconds !== b.seconds ? a.seconds - b.seconds : a.nanos - b.nanos;
}

function isTimestamp(value: unknown): value is Timestamp {
  return isObject(value) && typeof value['seconds'] === 'number' && typeof value['nanos'] === 'number';
}

/** The timestamp of an envelope's message, for the types that have one. */
function timestampOf(envelope: Envelope): Timestamp | undefined {
  const message = Object.values(envelope)[0] as unknown;
  if (!isObject(message)) return undefined;
  const timestamp = message['timestamp'];
  return isTimestamp(timestamp) ? timestamp : undefined;
}

function timestampOfDate(date: Date): Timestamp {
  const ms = date.getTime();
  return { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1_000_000 };
}

function nowTimestamp(): Timestamp {
  const ms = Date.now();
  return { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1_000_000 };
}

interface ParsedFile {
  source: FileMessages;
  prefix: string;
  meta: Meta | undefined;
  testRunStarted: TestRunStarted | undefined;
  testRunFinished: TestRunFinished | undefined;
  /** Everything before the file's testRunStarted, except meta. */
  definitions: Envelope[];
  /** Everything after the file's testRunStarted, except testRunFinished. */
  execution: Envelope[];
  earliest: Timestamp | undefined;
  latest: Timestamp | undefined;
}

function splitFile(source: FileMessages): ParsedFile {
  const parsed: ParsedFile = {
    source,
    prefix: `f${source.fileIndex}-`,
    meta: undefined,
    testRunStarted: undefined,
    testRunFinished: undefined,
    definitions: [],
    execution: [],
    earliest: undefined,
    latest: undefined,
  };
  const parsedEnvelopes = markRetriedAttempts(parseEnvelopes(source.ndjson));
  const supplement =
    source.missing === undefined ? { before: [], after: [] } : supplementMissing(parsedEnvelopes, source.missing);
  const envelopes = withSupplement(parsedEnvelopes, supplement);
  const hasRunStarted = envelopes.some((envelope) => envelope.testRunStarted !== undefined);
  let started = false;
  for (const envelope of envelopes) {
    const timestamp = timestampOf(envelope);
    if (timestamp !== undefined) {
      if (parsed.earliest === undefined || compareTimestamps(timestamp, parsed.earliest) < 0)
        parsed.earliest = timestamp;
      if (parsed.latest === undefined || compareTimestamps(timestamp, parsed.latest) > 0) parsed.latest = timestamp;
    }
    if (envelope.meta !== undefined) {
      parsed.meta ??= envelope.meta;
    } else if (envelope.testRunStarted !== undefined) {
      // A second testRunStarted in one stream is not valid; keep the first and drop the rest.
      parsed.testRunStarted ??= envelope.testRunStarted;
      started = true;
    } else if (envelope.testRunFinished !== undefined) {
      parsed.testRunFinished = envelope.testRunFinished;
    } else {
      const type = Object.keys(envelope)[0] ?? '';
      const isDefinition = hasRunStarted ? !started : definitionTypes.has(type);
      (isDefinition ? parsed.definitions : parsed.execution).push(envelope);
    }
  }
  if (parsed.testRunFinished === undefined || supplement.after.length > 0) {
    parsed.execution.push(...closeUnfinished(parsed));
  }
  return parsed;
}

/**
 * cucumber-js 7 marks an attempt it will retry on its step results (`testStepResult.willBeRetried`), which
 * today's messages do not have; later versions mark it on testCaseFinished. Moved there, so every report treats
 * the attempt as cucumber did.
 */
function markRetriedAttempts(envelopes: Envelope[]): Envelope[] {
  const retried = new Set<string>();
  return envelopes.map((envelope) => {
    const step = envelope.testStepFinished;
    if (step !== undefined && 'willBeRetried' in step.testStepResult) {
      const { willBeRetried, ...testStepResult } = step.testStepResult as TestStepResult & { willBeRetried?: boolean };
      if (willBeRetried === true) retried.add(step.testCaseStartedId);
      return { testStepFinished: { ...step, testStepResult } };
    }
    const finished = envelope.testCaseFinished;
    if (finished !== undefined && retried.has(finished.testCaseStartedId) && !finished.willBeRetried) {
      return { testCaseFinished: { ...finished, willBeRetried: true } };
    }
    return envelope;
  });
}

/** The stream with made-up definitions before its testRunStarted and made-up test cases after it. */
function withSupplement(envelopes: Envelope[], supplement: { before: Envelope[]; after: Envelope[] }): Envelope[] {
  if (supplement.before.length === 0 && supplement.after.length === 0) return envelopes;
  const started = envelopes.findIndex((envelope) => envelope.testRunStarted !== undefined);
  if (started === -1) return [...supplement.before, ...envelopes, ...supplement.after];
  return [
    ...envelopes.slice(0, started),
    ...supplement.before,
    ...envelopes.slice(started, started + 1),
    ...supplement.after,
    ...envelopes.slice(started + 1),
  ];
}

/**
 * Messages that finish what a stream cut off mid-run left open: its unfinished last attempt of a test case fails
 * at its first unfinished step (later steps are skipped), and each test case with no attempt left to run gets one
 * whose steps are all skipped. Ids made up here extend the test case's own, so they stay unique.
 */
function closeUnfinished(file: ParsedFile): Envelope[] {
  const testCases = new Map<string, TestCase>();
  const attempts = new Map<string, string[]>(); // testCaseId -> testCaseStarted ids, in order
  const finishedCases = new Map<string, boolean>(); // testCaseStartedId -> willBeRetried
  const startedSteps = new Set<string>(); // `${testCaseStartedId} ${testStepId}`
  const finishedSteps = new Set<string>();
  for (const envelope of file.execution) {
    if (envelope.testCase !== undefined) testCases.set(envelope.testCase.id, envelope.testCase);
    const started = envelope.testCaseStarted;
    if (started !== undefined) {
      attempts.set(started.testCaseId, [...(attempts.get(started.testCaseId) ?? []), started.id]);
    }
    const finished = envelope.testCaseFinished;
    if (finished !== undefined) finishedCases.set(finished.testCaseStartedId, finished.willBeRetried);
    const stepStarted = envelope.testStepStarted;
    if (stepStarted !== undefined) startedSteps.add(`${stepStarted.testCaseStartedId} ${stepStarted.testStepId}`);
    const stepFinished = envelope.testStepFinished;
    if (stepFinished !== undefined) finishedSteps.add(`${stepFinished.testCaseStartedId} ${stepFinished.testStepId}`);
  }

  const timestamp = file.latest ?? file.testRunStarted?.timestamp ?? nowTimestamp();
  const duration = { seconds: 0, nanos: 0 };
  const why = `the run of ${file.source.file} ended before`;
  const reason = file.source.reason;
  const closing: Envelope[] = [];
  /** Finishes the open steps of an attempt: the first fails (`fail`) or is skipped with the reason (`skip`). */
  const finishSteps = (testCaseStartedId: string, testCase: TestCase, first: 'fail' | 'skip') => {
    let isFirst = true;
    for (const step of testCase.testSteps) {
      const key = `${testCaseStartedId} ${step.id}`;
      if (finishedSteps.has(key)) continue;
      if (!startedSteps.has(key)) {
        closing.push({ testStepStarted: { testCaseStartedId, testStepId: step.id, timestamp } });
      }
      let testStepResult: TestStepResult = { duration, status: TestStepResultStatus.SKIPPED };
      if (isFirst && first === 'fail') {
        const message = `Not finished: ${reason ?? `${why} this step finished`}`;
        testStepResult = {
          duration,
          status: TestStepResultStatus.FAILED,
          message,
          exception: { type: INCOMPLETE_RUN_EXCEPTION_TYPE, message },
        };
      } else if (isFirst && reason !== undefined) {
        // The file did not pass, and this scenario is part of why: a failure that says it never ran, and why.
        const message = `Not run: ${reason}`;
        testStepResult = {
          duration,
          status: TestStepResultStatus.FAILED,
          message,
          exception: { type: NOT_RUN_EXCEPTION_TYPE, message },
        };
      } else if (isFirst) {
        testStepResult = { ...testStepResult, message: `Not run: ${why} this scenario started` };
      }
      isFirst = false;
      closing.push({ testStepFinished: { testCaseStartedId, testStepId: step.id, testStepResult, timestamp } });
    }
    closing.push({ testCaseFinished: { testCaseStartedId, timestamp, willBeRetried: false } });
  };

  // First the attempt that was running when the stream ended, then the ones that never ran.
  for (const [testCaseId, testCase] of testCases) {
    const last = attempts.get(testCaseId)?.at(-1);
    if (last !== undefined && !finishedCases.has(last)) finishSteps(last, testCase, 'fail');
  }
  for (const [testCaseId, testCase] of testCases) {
    const ids = attempts.get(testCaseId) ?? [];
    const last = ids.at(-1);
    // Never started, or its last attempt was to be retried.
    if (last === undefined || finishedCases.get(last) === true) {
      const id = `${testCaseId}-not-run`;
      closing.push({ testCaseStarted: { id, testCaseId, attempt: ids.length, timestamp } });
      finishSteps(id, testCase, 'skip');
    }
  }
  return closing;
}

function rewrite<T>(message: T, prefix: string, runId: string): T {
  return rewriteIds(message as Json, prefix, runId) as T;
}

/**
 * One valid message stream for the whole run, from the message streams of single-file runs:
 * - exactly one `meta`, the first file's (by fileIndex) that has one;
 * - then the definitions of every file (sources, gherkin documents, pickles, step definitions, hooks...), file by
 *   file in fileIndex order;
 * - exactly one `testRunStarted`, the earliest; every `testRunStartedId` in the stream points at it;
 * - then the test cases and their execution, file by file in fileIndex order;
 * - exactly one `testRunFinished` at the end: the latest timestamp of the run, success when every file's run
 *   finished and succeeded, and the files' messages (and the first exception), if any.
 *
 * Every id is made unique across files by prefixing `f<fileIndex>-` to every id value: the string or string[]
 * values of keys named `id` or ending in `Id` / `Ids` anywhere in an envelope. Lines that are not valid JSON
 * (or not a cucumber envelope) are skipped. A file without a testRunFinished (its container died mid-run) counts
 * as failed. No files give an empty stream.
 */
export function mergeMessageStreams(
  files: readonly FileMessages[],
  /** The run's own start and end, which reports show as its time (the containers' span is shorter). */
  run?: { startedAt: Date; finishedAt: Date },
): Envelope[] {
  if (files.length === 0) return [];
  const parsed = [...files].sort((a, b) => a.fileIndex - b.fileIndex).map(splitFile);

  let first: ParsedFile | undefined;
  for (const file of parsed) {
    const started = file.testRunStarted;
    if (started === undefined) continue;
    const firstStarted = first?.testRunStarted;
    if (firstStarted === undefined || compareTimestamps(started.timestamp, firstStarted.timestamp) < 0) first = file;
  }
  const runId = first?.testRunStarted?.id !== undefined ? first.prefix + first.testRunStarted.id : SYNTHETIC_RUN_ID;

  let earliest: Timestamp | undefined;
  let latest: Timestamp | undefined;
  for (const file of parsed) {
    if (file.earliest !== undefined && (earliest === undefined || compareTimestamps(file.earliest, earliest) < 0)) {
      earliest = file.earliest;
    }
    if (file.latest !== undefined && (latest === undefined || compareTimestamps(file.latest, latest) > 0)) {
      latest = file.latest;
    }
  }

  const merged: Envelope[] = [];
  const meta = parsed.find((file) => file.meta !== undefined)?.meta;
  if (meta !== undefined) merged.push({ meta });

  for (const file of parsed) {
    for (const envelope of file.definitions) merged.push(rewrite(envelope, file.prefix, runId));
  }

  const startedBy = first?.testRunStarted;
  const baseStarted: TestRunStarted =
    startedBy !== undefined && first !== undefined
      ? { ...rewrite(startedBy, first.prefix, runId), id: runId }
      : { id: runId, timestamp: earliest ?? nowTimestamp() };
  const testRunStarted: TestRunStarted =
    run === undefined ? baseStarted : { ...baseStarted, timestamp: timestampOfDate(run.startedAt) };
  merged.push({ testRunStarted });

  for (const file of parsed) {
    for (const envelope of file.execution) merged.push(rewrite(envelope, file.prefix, runId));
  }

  const messages: string[] = [];
  let exception: Exception | undefined;
  for (const file of parsed) {
    const finished = file.testRunFinished;
    if (finished === undefined) {
      messages.push(`${file.source.file}: the run did not finish (no testRunFinished message)`);
      continue;
    }
    if (finished.message !== undefined && finished.message !== '') {
      messages.push(`${file.source.file}: ${finished.message}`);
    }
    exception ??= finished.exception;
  }
  const testRunFinished: TestRunFinished = {
    testRunStartedId: runId,
    timestamp: run === undefined ? (latest ?? testRunStarted.timestamp) : timestampOfDate(run.finishedAt),
    success: parsed.every((file) => file.testRunFinished?.success === true),
    ...(messages.length > 0 ? { message: messages.join('\n') } : {}),
    ...(exception !== undefined ? { exception } : {}),
  };
  merged.push({ testRunFinished });
  return merged;
}
