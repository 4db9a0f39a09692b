import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { before, describe, it } from 'node:test';
import { messagesOf } from './testing/cucumber-messages.js';
import { parseEnvelope, type Envelope, type Timestamp } from '@cucumber/messages';
import { Ajv2020 } from 'ajv/dist/2020.js';
import {
  ENVELOPE_TYPES,
  INCOMPLETE_RUN_EXCEPTION_TYPE,
  mergeMessageStreams,
  parseEnvelopes,
  type FileMessages,
} from './merge-messages.js';

const featureFiles = [
  'features/cart.feature',
  'edge/failing.feature',
  'edge/pending.feature',
  'edge/undefined.feature',
  'features/search.feature', // has a Scenario Outline
  "edge/odd names/spaces; $(touch pwned) 'quotes' & more.feature", // runs a Before hook
];
let streams: FileMessages[];

const typeOf = (envelope: Envelope): string => Object.keys(envelope)[0] ?? '';
const ofType = (envelopes: readonly Envelope[], type: string) => envelopes.filter((e) => typeOf(e) === type);
const compare = (a: Timestamp, b: Timestamp) => (a.seconds !== b.seconds ? a.seconds - b.seconds : a.nanos - b.nanos);

type Visit = (key: string, value: unknown) => void;
function walk(value: unknown, visit: Visit): void {
  if (Array.isArray(value)) {
    for (const item of value) walk(item, visit);
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, child] of Object.entries(value)) {
      visit(key, child);
      walk(child, visit);
    }
  }
}

/** Defined ids (`id` keys) and references (other keys ending in Id / Ids; workerId names no message) in a stream. */
function idsOf(envelopes: readonly Envelope[]) {
  const defined: string[] = [];
  const referenced: { key: string; value: string }[] = [];
  walk(envelopes, (key, value) => {
    if (key === 'id' && typeof value === 'string') defined.push(value);
    else if (key !== 'workerId' && (key.endsWith('Id') || key.endsWith('Ids'))) {
      for (const id of [value].flat()) if (typeof id === 'string') referenced.push({ key, value: id });
    }
  });
  return { defined, referenced };
}

function assertValidStream(envelopes: readonly Envelope[]): void {
  assert.equal(ofType(envelopes, 'meta').length, 1, 'one meta');
  assert.equal(ofType(envelopes, 'testRunStarted').length, 1, 'one testRunStarted');
  assert.equal(ofType(envelopes, 'testRunFinished').length, 1, 'one testRunFinished');
  assert.equal(typeOf(envelopes[0]!), 'meta', 'meta first');
  assert.equal(typeOf(envelopes.at(-1)!), 'testRunFinished', 'testRunFinished last');

  const { defined, referenced } = idsOf(envelopes);
  assert.equal(new Set(defined).size, defined.length, 'every id is unique');
  const known = new Set(defined);
  const dangling = referenced.filter((ref) => !known.has(ref.value));
  assert.deepEqual(dangling, [], 'every referenced id is defined');

  // Each reference comes after what it refers to, as a streaming consumer needs.
  const seen = new Set<string>();
  for (const envelope of envelopes) {
    const { defined: here, referenced: refs } = idsOf([envelope]);
    for (const id of here) seen.add(id);
    for (const ref of refs) assert.ok(seen.has(ref.value), `${ref.key} ${ref.value} used before it is defined`);
  }
}

describe('mergeMessageStreams', () => {
  let validate: ReturnType<Ajv2020['compile']>;

  before(async () => {
    const texts = await Promise.all(featureFiles.map(messagesOf));
    streams = featureFiles.map((file, fileIndex) => ({ fileIndex, file, ndjson: texts[fileIndex]! }));
    const schema = createRequire(import.meta.url)('@cucumber/messages/schema') as Record<string, unknown>;
    validate = new Ajv2020({ strict: false, allErrors: true }).compile(schema);
  });

  it('validates envelopes against the schema of @cucumber/messages', () => {
    assert.equal(validate({ testRunStarted: { timestamp: { seconds: 1, nanos: 0 }, id: 'x' } }), true);
    assert.equal(validate({ testRunStarted: { id: 'x' } }), false);
    assert.equal(validate({ testCase: { id: 'x', pickleId: 'p', testSteps: [{ id: 1 }] } }), false);
  });

  it('knows every envelope type of the installed @cucumber/messages', () => {
    const schema = createRequire(import.meta.url)('@cucumber/messages/schema') as { properties: object };
    assert.deepEqual([...ENVELOPE_TYPES].sort(), Object.keys(schema.properties).sort());
  });

  it('merges real streams into one valid stream', () => {
    const merged = mergeMessageStreams(streams);
    assertValidStream(merged);

    for (const envelope of merged) {
      assert.ok(validate(envelope), `${JSON.stringify(envelope)}\n${JSON.stringify(validate.errors)}`);
      assert.equal(typeOf(parseEnvelope(JSON.stringify(envelope))), typeOf(envelope));
    }

    // Nothing is lost: every file's sources, pickles, test cases and their steps are there.
    const inputs = streams.map((s) => parseEnvelopes(s.ndjson));
    for (const type of ['source', 'gherkinDocument', 'pickle', 'testCase', 'testCaseStarted', 'testStepFinished']) {
      const expected = inputs.reduce((sum, envelopes) => sum + ofType(envelopes, type).length, 0);
      assert.ok(expected > 0);
      assert.equal(ofType(merged, type).length, expected, type);
    }
    const outline = ofType(merged, 'pickle').filter((e) => e.pickle!.uri === 'features/search.feature');
    assert.equal(outline.length, 4, 'the outline gives a pickle per example row, plus one plain scenario');

    // The run is as long as all the files' runs together, and failed because one file failed.
    const started = ofType(merged, 'testRunStarted')[0]!.testRunStarted!;
    const finished = ofType(merged, 'testRunFinished')[0]!.testRunFinished!;
    const starts = inputs.map((envelopes) => ofType(envelopes, 'testRunStarted')[0]!.testRunStarted!.timestamp);
    const ends = inputs.map((envelopes) => ofType(envelopes, 'testRunFinished')[0]!.testRunFinished!.timestamp);
    assert.deepEqual(started.timestamp, [...starts].sort(compare)[0]);
    assert.deepEqual(finished.timestamp, [...ends].sort(compare).at(-1));
    assert.equal(finished.success, false);
    assert.equal(finished.testRunStartedId, started.id);
    for (const { testCase } of ofType(merged, 'testCase')) assert.equal(testCase!.testRunStartedId, started.id);

    // Definitions come before the run starts, execution after it.
    const startIndex = merged.findIndex((e) => e.testRunStarted !== undefined);
    const lastDefinition = Math.max(
      ...['pickle', 'stepDefinition', 'hook'].map((t) => merged.map(typeOf).lastIndexOf(t)),
    );
    const firstTestCase = merged.findIndex((e) => e.testCase !== undefined);
    assert.ok(lastDefinition < startIndex && startIndex < firstTestCase);
  });

  it('prefixes every id with its file index, in every id-bearing key', () => {
    const merged = mergeMessageStreams(streams);
    const { defined, referenced } = idsOf(merged);
    for (const id of [...defined, ...referenced.map((ref) => ref.value)]) assert.match(id, /^f\d+-/);
    const keys = new Set(referenced.map((ref) => ref.key));
    for (const key of ['astNodeIds', 'pickleId', 'pickleStepId', 'stepDefinitionIds', 'testCaseId']) {
      assert.ok(keys.has(key), key);
    }
    for (const key of ['testCaseStartedId', 'testStepId', 'hookId', 'testRunStartedId']) assert.ok(keys.has(key), key);
    const pickleIds = ofType(merged, 'pickle').map((e) => e.pickle!);
    assert.deepEqual(
      pickleIds.filter((p) => p.uri === 'edge/failing.feature').map((p) => p.id.slice(0, 3)),
      ['f1-', 'f1-'],
    );
  });

  it('succeeds when every file succeeded', () => {
    const passing = streams.filter((s) => s.file.startsWith('features/'));
    const merged = mergeMessageStreams(passing);
    assertValidStream(merged);
    assert.equal(merged.at(-1)!.testRunFinished!.success, true);
    assert.equal(merged.at(-1)!.testRunFinished!.message, undefined);
  });

  it('orders by file index and keeps the first file’s meta', () => {
    const reversed = [...streams].reverse();
    assert.deepEqual(mergeMessageStreams(reversed), mergeMessageStreams(streams));
    const sources = ofType(mergeMessageStreams(reversed), 'source').map((e) => e.source!.uri);
    assert.deepEqual(sources, featureFiles);

    const marked = streams.map((s) =>
      s.fileIndex === 0 ? { ...s, ndjson: s.ndjson.replace('"name":"cucumber-js"', '"name":"first-file"') } : s,
    );
    const metas = ofType(mergeMessageStreams([...marked].reverse()), 'meta');
    assert.deepEqual(
      metas.map((e) => e.meta!.implementation.name),
      ['first-file'],
    );
  });

  it('skips lines that are not envelopes, and recovers an envelope glued to other output', () => {
    const [first, second] = streams;
    const lines = first!.ndjson.split('\n');
    const noisy = [
      'Warning: something on stderr',
      '{"not":{"an":"envelope"}}',
      '[1,2,3]',
      '{"broken": ',
      `(node:1) Warning: glued${lines[1]!}`,
      ...lines.slice(2),
    ];
    const merged = mergeMessageStreams([{ ...first!, ndjson: [lines[0], ...noisy].join('\r\n') }, second!]);
    assertValidStream(merged);
    assert.deepEqual(
      ofType(merged, 'source').map((e) => e.source!.uri),
      ['features/cart.feature', 'edge/failing.feature'],
    );
  });

  it('treats a stream cut off mid-run (a killed container) as a failed file and stays valid', () => {
    const [first, second] = streams;
    const lines = second!.ndjson.split('\n');
    const cut = lines.findIndex((line) => line.includes('"testStepStarted"'));
    const truncated = { ...second!, ndjson: `${lines.slice(0, cut + 1).join('\n')}\n{"testStepFini` };
    const merged = mergeMessageStreams([first!, truncated]);
    assertValidStream(merged);
    const finished = merged.at(-1)!.testRunFinished!;
    assert.equal(finished.success, false);
    assert.match(finished.message ?? '', /edge\/failing\.feature: the run did not finish/);

    // The scenario that was running fails, the one that never started is skipped; both say why.
    const cutOff = merged.filter((e) => e.testCaseStarted?.testCaseId.startsWith('f1-'));
    assert.equal(cutOff.length, 2);
    assert.equal(
      merged.filter((e) => e.testCaseFinished?.testCaseStartedId.startsWith('f1-')).length,
      2,
      'every test case started is finished',
    );
    const results = merged
      .filter((e) => e.testStepFinished?.testCaseStartedId.startsWith('f1-'))
      .map((e) => e.testStepFinished!.testStepResult);
    assert.deepEqual(
      results.map((r) => [r.status, r.exception?.type, r.message?.replace(/ the run of .* ended/, ' … ended')]),
      [
        ['FAILED', INCOMPLETE_RUN_EXCEPTION_TYPE, 'Not finished: … ended before this step finished'],
        ['SKIPPED', undefined, 'Not run: … ended before this scenario started'],
      ],
    );
    for (const envelope of merged) assert.ok(validate(envelope), JSON.stringify(validate.errors));
  });

  it('still gives one testRunStarted and testRunFinished when streams have none', () => {
    const merged = mergeMessageStreams([{ fileIndex: 3, file: 'x.feature', ndjson: 'container crashed\n' }]);
    assert.deepEqual(merged.map(typeOf), ['testRunStarted', 'testRunFinished']);
    assert.equal(merged[1]!.testRunFinished!.success, false);
    assert.equal(merged[1]!.testRunFinished!.testRunStartedId, merged[0]!.testRunStarted!.id);
  });

  it('gives an empty stream for no files', () => {
    assert.deepEqual(mergeMessageStreams([]), []);
  });
});
