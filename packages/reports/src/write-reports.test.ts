import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Envelope } from '@cucumber/messages';
import { messagesOf } from './testing/cucumber-messages.js';
import { XMLParser } from 'fast-xml-parser';
import { mergeMessageStreams, parseEnvelopes, type FileMessages } from './merge-messages.js';
import { writeHtmlReport, writeJunitReport, writeMessagesReport } from './write-reports.js';
import { combineChunkStreams } from './combine-chunks.js';

const featureFiles = [
  'features/cart.feature', // 3 scenarios, passing
  'edge/failing.feature', // 2 scenarios, 1 fails with an assertion
  'edge/pending.feature', // 1 scenario, pending
  'edge/undefined.feature', // 1 scenario, undefined step
  'features/search.feature', // a 3-row Scenario Outline and a scenario, passing
];
const featureNames = ['Shopping cart', 'Failing fixture', 'Pending fixture', 'Undefined fixture', 'Search'];

let dir: string;
let streams: FileMessages[];
let merged: Envelope[];

interface JunitCase {
  classname: string;
  name: string;
  time: string;
  failure?: { type?: string; message?: string; '#text'?: string } | '';
  skipped?: unknown;
}

async function readJunit(file: string) {
  const xml = await readFile(file, 'utf8');
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    cdataPropName: false,
    isArray: (name) => name === 'testcase',
  });
  const doc = parser.parse(xml) as { testsuite: Record<string, string> & { testcase?: JunitCase[] } };
  return { xml, suite: doc.testsuite, cases: doc.testsuite.testcase ?? [] };
}

describe('cucumber reports', () => {
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'baleen-cucumber-reports-'));
    const texts = await Promise.all(featureFiles.map((file) => messagesOf(file)));
    streams = featureFiles.map((file, fileIndex) => ({ fileIndex, file, ndjson: texts[fileIndex]! }));
    merged = mergeMessageStreams(streams);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('writes the messages as NDJSON that reads back the same, creating parent directories', async () => {
    const file = path.join(dir, 'out/nested/messages.ndjson');
    await writeMessagesReport(file, merged);
    const text = await readFile(file, 'utf8');
    assert.equal(text.split('\n').length, merged.length + 1);
    assert.ok(text.endsWith('}\n'));
    assert.deepEqual(parseEnvelopes(text), merged);
  });

  it('writes JUnit XML: a testcase per scenario, failures with messages, timings', async () => {
    const file = path.join(dir, 'out/junit/cucumber.xml');
    await writeJunitReport(file, merged, { suiteName: 'baleen run' });
    const { suite, cases } = await readJunit(file);

    const scenarios = merged.filter((e) => e.pickle !== undefined).length;
    assert.equal(scenarios, 11);
    assert.equal(cases.length, scenarios);
    assert.equal(suite['name'], 'baleen run');
    assert.equal(Number(suite['tests']), scenarios);
    // failing (assertion), pending and undefined: three failed scenarios.
    const failed = cases.filter((c) => c.failure !== undefined);
    assert.equal(failed.length, 3);
    assert.equal(Number(suite['failures']), 3);
    assert.equal(Number(suite['skipped']), 0);
    assert.ok(Number(suite['time']) > 0);
    for (const c of cases) assert.match(c.time, /^\d+(\.\d+)?$/, `time of ${c.name}`);
    assert.ok(
      cases.some((c) => Number(c.time) >= 0.1),
      'the scenarios that wait take their time',
    );

    assert.deepEqual([...new Set(cases.map((c) => c.classname))].sort(), [...featureNames].sort());
    const byName = new Map(cases.map((c) => [c.name, c]));
    const assertion = byName.get('Arithmetic that does not hold')?.failure;
    assert.ok(typeof assertion === 'object');
    assert.equal(assertion.type, 'AssertionError');
    assert.equal(assertion.message, '2 plus 2 is 4, not 5');
    assert.match(assertion['#text'] ?? '', /at check \(file:/, 'the stack trace');
    const pending = byName.get('Work in progress')?.failure;
    assert.ok(typeof pending === 'object');
    assert.equal(pending.type, 'PENDING');
    assert.equal(pending.message, 'Pending step: "a step that is not implemented yet"');
    const undefinedStep = byName.get('Step nobody wrote')?.failure;
    assert.ok(typeof undefinedStep === 'object');
    assert.equal(undefinedStep.type, 'UNDEFINED');
    assert.equal(undefinedStep.message, 'Undefined step: "I frobnicate the quux with no step definition"');
    // The outline gives a testcase per example row.
    assert.equal(cases.filter((c) => c.classname === 'Search' && c.name.startsWith('Normalising a query')).length, 3);
  });

  it('counts a scenario cut off by a stopped container as failed in JUnit', async () => {
    const failing = streams[1]!;
    const lines = failing.ndjson.split('\n');
    const cut = lines.findIndex((line) => line.includes('"testStepStarted"'));
    const truncated = { ...failing, ndjson: lines.slice(0, cut + 1).join('\n') };
    const file = path.join(dir, 'out/junit/truncated.xml');
    await writeJunitReport(file, mergeMessageStreams([streams[0]!, truncated]));
    const { suite, cases } = await readJunit(file);
    assert.equal(cases.length, 5);
    assert.equal(Number(suite['failures']), 1);
    assert.equal(Number(suite['skipped']), 1);
    const cutOff = cases.find((c) => c.name === 'Arithmetic that holds')?.failure;
    assert.ok(typeof cutOff === 'object');
    assert.match(cutOff.message ?? '', /the run of edge\/failing\.feature ended before this step finished/);
  });

  it('names every expected scenario of a file that never ran, as a failure saying why', async () => {
    const source = await readFile(path.resolve('fixtures/cucumber/features/search.feature'), 'utf8');
    const neverRan: FileMessages = {
      fileIndex: 1,
      file: 'features/search.feature',
      ndjson: '',
      reason: 'features/search.feature timed-out: timed out after 5 s; the container was killed',
      // One outline row and one scenario, not the rest: the expected list decides what is listed.
      missing: {
        file: 'features/search.feature',
        expected: [
          { line: 14, name: 'x' },
          { line: 16, name: 'y' },
        ],
        sourceText: source,
      },
    };
    const file = path.join(dir, 'out/junit/never-ran.xml');
    await writeJunitReport(file, mergeMessageStreams([streams[0]!, neverRan]));
    const { suite, cases } = await readJunit(file);
    const search = cases.filter((c) => c.classname === 'Search');
    assert.equal(search.length, 2);
    assert.equal(Number(suite['failures']), 2);
    for (const testcase of search) {
      assert.ok(typeof testcase.failure === 'object');
      assert.match(testcase.failure.message ?? '', /Not run: .*timed out after 5 s/);
    }
  });

  it('adds the scenarios a cut-off stream never reached as failures with the file’s reason', async () => {
    const failing = streams[1]!;
    const lines = failing.ndjson.split('\n');
    // Cut before any test case exists: the pickles are there, their test cases are not.
    const cut = lines.findIndex((line) => line.includes('"testCase"'));
    const cutOff: FileMessages = {
      ...failing,
      ndjson: lines.slice(0, cut).join('\n'),
      reason: 'edge/failing.feature error: the message channel was damaged',
      missing: { file: failing.file, expected: undefined, sourceText: undefined },
    };
    const file = path.join(dir, 'out/junit/cut-before-cases.xml');
    await writeJunitReport(file, mergeMessageStreams([cutOff]));
    const { cases } = await readJunit(file);
    assert.equal(cases.length, 2);
    for (const testcase of cases) {
      assert.ok(typeof testcase.failure === 'object');
      assert.match(testcase.failure.message ?? '', /Not run: .*message channel was damaged/);
    }
  });

  it('combines the chunks of a split file into one stream: one testcase per scenario, steps and all', async () => {
    const chunks = await Promise.all(
      ['features/search.feature:12:14', 'features/search.feature:13:16'].map(messagesOf),
    );
    const combined = combineChunkStreams(chunks);
    const envelopes = parseEnvelopes(combined);
    assert.equal(envelopes.filter((e) => e.gherkinDocument !== undefined).length, 1, 'the document once');
    assert.equal(envelopes.filter((e) => e.testRunStarted !== undefined).length, 1);
    assert.equal(envelopes.filter((e) => e.testRunFinished !== undefined).length, 1);
    const file = path.join(dir, 'out/junit/chunks.xml');
    await writeJunitReport(
      file,
      mergeMessageStreams([{ fileIndex: 0, file: 'features/search.feature', ndjson: combined }]),
    );
    const { cases } = await readJunit(file);
    assert.equal(cases.length, 4);
    assert.deepEqual(new Set(cases.map((c) => c.classname)), new Set(['Search']));
  });

  it('writes a valid empty JUnit report for no messages', async () => {
    const file = path.join(dir, 'out/junit/empty.xml');
    await writeJunitReport(file, []);
    const { suite, cases } = await readJunit(file);
    assert.equal(cases.length, 0);
    assert.equal(Number(suite['tests']), 0);
    assert.equal(suite['name'], 'Cucumber');
  });

  it("writes cucumber's HTML report with every feature in it", async () => {
    const file = path.join(dir, 'out/html/deeper/report.html');
    await writeHtmlReport(file, merged);
    const html = await readFile(file, 'utf8');
    assert.ok((await stat(file)).size > 100_000, 'the page with its inlined JS and CSS');
    assert.match(html, /^<!DOCTYPE html>/);
    assert.match(html, /<\/html>\s*$/);
    assert.match(html, /window\.CUCUMBER_MESSAGES = \[/);
    for (const name of featureNames) assert.ok(html.includes(`"name":"${name}"`), name);
    for (const file of featureFiles) assert.ok(html.includes(`"uri":"${file}"`), file);
  });
});
