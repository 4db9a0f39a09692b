// The compatibility matrix: each project of fixtures/compat (a style seen in real cucumber-js projects) runs twice
// in the same image, as plain serial cucumber-js and through Baleen, and Baleen must report what cucumber-js
// reported. Images: scripts/build-compat-images.sh. What each project does: fixtures/compat/README.md.
import assert from 'node:assert/strict';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { XMLParser } from 'fast-xml-parser';
import { runBaleen, type CliResult } from './support/cli.js';
import { runCucumberBaseline, type CucumberBaseline } from './support/cucumber-baseline.js';
import {
  envelopesIn,
  printedSummaryLines,
  resultsFromEnvelopes,
  sortedScenarios,
  type CucumberResults,
} from './support/cucumber-results.js';
import { REPO_ROOT } from './support/paths.js';

const COMPAT = path.join(REPO_ROOT, 'fixtures/compat');
// The versions image holds one directory per major; Baleen runs from the one copy of their features.
const VERSIONS_IMAGE = 'baleen-compat-versions:latest';
const VERSIONS_FEATURES = path.join(COMPAT, 'versions/shared');
const MINIMUM_CUCUMBER_MAJOR = 7;

interface CompatProject {
  name: string;
  image: string;
  /** Where baleen runs: the project's folder here (file paths are sent relative to it). */
  cwd: string;
  /** The project's directory in the image, when it is not the image's WORKDIR. */
  workDir?: string;
  /** Given to both: `cucumber-js <files>` and `baleen cucumber --files <files>`. */
  files: string[];
  attachesPng?: boolean;
  /** cucumber-js prints no summary for this project (its run ends in a failing AfterAll hook). */
  noSummary?: boolean;
  /** Also run through Baleen with its files packed into shared containers (--pack): the results must not change. */
  alsoPacked?: boolean;
}

const project = (name: string, extra: Partial<CompatProject> = {}): CompatProject => ({
  name,
  image: `baleen-compat-${name}:latest`,
  cwd: path.join(COMPAT, name),
  files: ['features'],
  ...extra,
});

const PROJECTS: CompatProject[] = [
  project('mock-fs'),
  project('stdio-stubs'),
  project('ts-node'),
  project('yaml-profiles'),
  project('hooks', { noSummary: true, alsoPacked: true }),
  // cucumber-js expands a directory to its *.feature files only (its no-argument default also takes
  // *.feature.md), so the Markdown feature is named as well, to both.
  project('gherkin-rich', {
    files: ['features', 'features/station-report.feature.md'],
    attachesPng: true,
    alsoPacked: true,
  }),
  project('cucumber7', { alsoPacked: true }),
  ...['v7', 'v8', 'v9', 'v10', 'v11', 'v12'].map((version) =>
    project(`versions/${version}`, { image: VERSIONS_IMAGE, cwd: VERSIONS_FEATURES, workDir: `/compat/${version}` }),
  ),
];

interface BaleenRun extends CliResult {
  /** The merged message stream (--messages), '' if Baleen wrote none. */
  messages: string;
  /** The JUnit report (--junit), '' if Baleen wrote none. */
  junit: string;
}

async function runBaleenLikeTheBaseline(compat: CompatProject, extra: readonly string[]): Promise<BaleenRun> {
  const dir = await mkdtemp(path.join(tmpdir(), 'baleen-compat-'));
  const result = await runBaleen(
    [
      'cucumber',
      '--image',
      compat.image,
      ...(compat.workDir === undefined ? [] : ['--work-dir', compat.workDir]),
      '--files',
      ...compat.files,
      '--messages',
      `${dir}/m.ndjson`,
      '--junit',
      `${dir}/j.xml`,
      '--json',
      `${dir}/r.json`,
      // Not next to the fixture: a test run must leave the fixture tree as it is.
      '--history',
      `${dir}/history.sqlite`,
      ...extra,
    ],
    { cwd: compat.cwd },
  );
  const readIfWritten = (file: string) => readFile(file, 'utf8').catch(() => '');
  return { ...result, messages: await readIfWritten(`${dir}/m.ndjson`), junit: await readIfWritten(`${dir}/j.xml`) };
}

function outputOf(run: CliResult): string {
  return `exit ${String(run.code)}\n--- stdout\n${run.stdout}\n--- stderr\n${run.stderr}`;
}

function junitCounts(xml: string): { testcases: number; failures: number } {
  const parsed = new XMLParser({ ignoreAttributes: false, isArray: (name) => name === 'testcase' }).parse(xml) as {
    testsuite?: { testcase?: Record<string, unknown>[] };
  };
  const testcases = parsed.testsuite?.testcase ?? [];
  return { testcases: testcases.length, failures: testcases.filter((t) => 'failure' in t).length };
}

const VARIANTS = PROJECTS.flatMap((compat) => [
  { compat, label: '', extra: [] as string[] },
  // Several files in one cucumber process: each file must still be reported exactly as cucumber-js reports it.
  ...(compat.alsoPacked === true
    ? [{ compat, label: ', packed (--pack 60)', extra: ['--pack', '60', '--concurrency', '2'] }]
    : []),
]);

for (const { compat, label, extra } of VARIANTS) {
  describe(`compat matrix: ${compat.name} (${compat.image})${label}, plain cucumber-js vs baleen`, () => {
    let baseline: CucumberBaseline;
    let baleen: BaleenRun;
    let baleenResults: () => CucumberResults;

    before(async () => {
      baseline = await runCucumberBaseline({
        image: compat.image,
        ...(compat.workDir === undefined ? {} : { workDir: compat.workDir }),
        args: compat.files,
      });
      baleen = await runBaleenLikeTheBaseline(compat, extra);
      // Parsed in each test, so that a stream Baleen got wrong fails the tests that need it, not the others.
      baleenResults = () => resultsFromEnvelopes(envelopesIn(baleen.messages));
    });

    if (compat.noSummary === true) {
      it('the baseline is as documented: cucumber-js printed no summary (its run ended in an AfterAll hook)', () => {
        assert.equal(baseline.summary, null, baseline.stdout);
      });
    } else {
      it('the baseline is consistent: cucumber-js printed the summary its own messages give', () => {
        assert.deepEqual(baseline.summary, baseline.summaryFromMessages, baseline.stdout);
      });
    }

    it('reports every scenario with the file, line, name and status cucumber-js gave it', () => {
      assert.ok(baleen.messages.length > 0, `baleen wrote no --messages file\n${outputOf(baleen)}`);
      assert.deepEqual(sortedScenarios(baleenResults().scenarios), sortedScenarios(baseline.scenarios));
    });

    it("prints cucumber's own scenario and step counts", () => {
      // When cucumber-js printed none (a failing AfterAll), the lines it would have printed, from its messages.
      const expected = baseline.summary ?? baseline.summaryFromMessages;
      assert.deepEqual(printedSummaryLines(baleen.stdout), [expected.scenarios, expected.steps], outputOf(baleen));
    });

    it('fails exactly when cucumber-js fails', () => {
      assert.equal(baleen.code, baseline.exitCode === 0 ? 0 : 1, outputOf(baleen));
    });

    it('writes a JUnit testcase per scenario, with a failure for each that neither passed nor was skipped', () => {
      assert.ok(baleen.junit.length > 0, `baleen wrote no --junit file\n${outputOf(baleen)}`);
      const notPassed = baseline.scenarios.filter((s) => s.status !== 'passed' && s.status !== 'skipped');
      assert.deepEqual(junitCounts(baleen.junit), {
        testcases: baseline.scenarios.length,
        failures: notPassed.length,
      });
    });

    if (compat.attachesPng === true) {
      it('keeps the PNG attachment, byte for byte, in the merged messages', () => {
        const png = (results: { attachments: { mediaType: string; body: string }[] }) =>
          results.attachments.find((a) => a.mediaType === 'image/png')?.body;
        const expected = png(baseline);
        assert.ok(expected !== undefined && expected.length > 0, 'the baseline has a PNG attachment');
        assert.equal(png(baleenResults()), expected);
      });
    }
  });
}

describe('compat matrix: versions/v6, a cucumber-js too old for Baleen', () => {
  it(`refuses cucumber 6 with one clear error naming the version found and the minimum (${MINIMUM_CUCUMBER_MAJOR})`, async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'baleen-compat-'));
    const run = await runBaleen(
      [
        'cucumber',
        '--image',
        VERSIONS_IMAGE,
        '--work-dir',
        '/compat/v6',
        '--files',
        'features',
        '--history',
        `${dir}/history.sqlite`,
      ],
      { cwd: VERSIONS_FEATURES },
    );
    const output = `${run.stdout}\n${run.stderr}`;
    assert.equal(run.code, 2, outputOf(run));
    assert.match(output, /6\.0\.7/, 'names the version found');
    // 7, 7.0 or 7.0.0, but not the 7 of 6.0.7.
    const minimum = `(?<![.\\d])${MINIMUM_CUCUMBER_MAJOR}(\\.0){0,2}(?![.\\d])`;
    assert.match(
      output,
      new RegExp(
        `(minimum|at least|requires?|needs?|supports?)[^\\n]*${minimum}|${minimum}[^\\n]*(or later|or newer)`,
        'i',
      ),
      'names the minimum',
    );
  });
});
