import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { parseEnvelope } from '@cucumber/messages';
import { XMLParser } from 'fast-xml-parser';
import { runBaleen, runBaleenWithReport, runIdFrom } from './support/cli.js';
import { containersWithLabels } from './support/docker.js';
import { IMAGE } from './support/paths.js';

const exec = promisify(execFile);
const cucumber = (...args: string[]) => ['cucumber', '--image', IMAGE, ...args];
const tempDir = () => mkdtemp(path.join(tmpdir(), 'baleen-reports-'));

/** The `N scenarios (...)` and `N steps (...)` lines of a cucumber-style summary. */
function summaryLines(output: string): string[] {
  return output.split('\n').filter((line) => /^\d+ (scenario|step)s? /.test(line));
}

const MIXED = ['features', 'edge/failing.feature', 'edge/pending.feature', 'edge/undefined.feature'];

describe('scenario results and merged reports (real CLI, real engine, real cucumber-js)', () => {
  it('counts scenarios and steps exactly as a plain cucumber-js run of the same files does', async () => {
    // The reference: cucumber-js itself, over the same files, in the same image.
    const direct = await exec('docker', [
      'run',
      '--rm',
      '--network',
      'none',
      IMAGE,
      'node_modules/.bin/cucumber-js',
      ...MIXED,
    ]).catch((error: unknown) => error as { stdout: string });
    const expected = summaryLines(direct.stdout);
    assert.equal(expected.length, 2, direct.stdout);
    const { code, stdout } = await runBaleen(cucumber('--files', ...MIXED));
    assert.equal(code, 1);
    assert.deepEqual(summaryLines(stdout), expected);
  });

  it('streams failing scenarios live, with file, line and error', async () => {
    const { stdout } = await runBaleen(cucumber('--files', 'edge/failing.feature'));
    assert.match(stdout, /failed scenario Arithmetic that does not hold edge\/failing\.feature:7 — AssertionError/);
    const live = stdout.indexOf('failed scenario');
    const finished = stdout.indexOf('✖ failed edge/failing.feature');
    assert.ok(live !== -1 && live < finished, 'the scenario is reported before its file finishes');
  });

  it('writes one valid message stream, JUnit and HTML for the whole run, even when it fails', async () => {
    const dir = await tempDir();
    const files = ['features/cart.feature', 'features/search.feature', 'edge/failing.feature'];
    const result = await runBaleenWithReport(
      cucumber(
        '--files',
        ...files,
        '--messages',
        `${dir}/run.ndjson`,
        '--junit',
        `${dir}/junit.xml`,
        '--html',
        `${dir}/report.html`,
      ),
    );
    assert.equal(result.code, 1);

    const envelopes = (await readFile(`${dir}/run.ndjson`, 'utf8'))
      .split('\n')
      .filter((line) => line.length > 0)
      .map((line) => parseEnvelope(line));
    assert.equal(envelopes.filter((e) => e.meta !== undefined).length, 1);
    assert.equal(envelopes.filter((e) => e.testRunStarted !== undefined).length, 1);
    assert.equal(envelopes.filter((e) => e.testRunFinished !== undefined).length, 1);
    assert.equal(envelopes.find((e) => e.testRunFinished)?.testRunFinished?.success, false);
    const ids = envelopes.flatMap((e) =>
      Object.values(e)
        .map((body: unknown) => (body as { id?: string }).id)
        .filter((id) => id !== undefined),
    );
    assert.equal(new Set(ids).size, ids.length, 'ids are unique across files');
    assert.equal(envelopes.filter((e) => e.source !== undefined).length, files.length);

    const scenarios = result.report.files.reduce(
      (sum, f) => sum + (f.scenarios?.['passed'] ?? 0) + (f.scenarios?.['failed'] ?? 0),
      0,
    );
    const xml = await readFile(`${dir}/junit.xml`, 'utf8');
    const parsed = JSON.stringify(new XMLParser({ ignoreAttributes: false }).parse(xml));
    const testcases = [...xml.matchAll(/<testcase /g)].length;
    assert.ok(parsed.length > 0, 'the JUnit XML parses');
    assert.equal(testcases, scenarios, 'a testcase per scenario');
    assert.match(parsed, /2 plus 2 is 4, not 5/);

    const html = await readFile(`${dir}/report.html`, 'utf8');
    assert.ok((await stat(`${dir}/report.html`)).size > 10_000);
    assert.ok(html.includes('Shopping cart'));
  });

  it('retries a failed file in a fresh container; a later pass is flaky, exit 0 unless --fail-on-flaky', async () => {
    const { code, report, stdout } = await runBaleenWithReport(
      cucumber('--files', 'edge/flaky.feature', '--retries', '2'),
    );
    assert.equal(code, 0, stdout);
    const [file] = report.files;
    assert.equal(file?.status, 'flaky');
    assert.deepEqual(
      file?.attempts.map((a) => a.status),
      ['failed', 'passed'],
    );
    assert.notEqual(file?.attempts[0]?.containerId, file?.attempts[1]?.containerId, 'a fresh container per attempt');
    assert.match(stdout, /1 flaky/);
    const strict = await runBaleen(cucumber('--files', 'edge/flaky.feature', '--retries', '1', '--fail-on-flaky'));
    assert.equal(strict.code, 1);
  });

  it('--fail-fast stops at the first failure, still writes the reports naming what did not run, and leaves no container', async () => {
    const dir = await tempDir();
    const { code, report, stdout } = await runBaleenWithReport(
      cucumber(
        '--files',
        'edge/failing.feature',
        'features',
        '--fail-fast',
        '--concurrency',
        '1',
        '--order',
        'given',
        '--junit',
        `${dir}/junit.xml`,
      ),
    );
    assert.equal(code, 1, stdout);
    assert.equal(report.files.find((f) => f.file === 'edge/failing.feature')?.status, 'failed');
    const notRun = report.files.filter((f) => f.status === 'cancelled');
    assert.ok(notRun.length >= 15, `${notRun.length} files not run`);
    assert.match(
      notRun[0]?.error?.message ?? '',
      /not run: --fail-fast stopped the run after edge\/failing\.feature failed/,
    );
    assert.ok((await stat(`${dir}/junit.xml`)).size > 0);
    assert.deepEqual(await containersWithLabels([`baleen.run=${runIdFrom(stdout)}`]), []);
  });

  it('remembers how long files took, in the project’s SQLite history, and starts the longest first next time', async () => {
    const dir = await tempDir();
    const history = path.join(dir, 'history.sqlite');
    const files = ['features/billing/refunds.feature', 'features/cart.feature', 'features/inventory.feature'];
    const startOrder = (stdout: string) => [...stdout.matchAll(/▶ started (\S+)/g)].map((m) => m[1]);
    const first = await runBaleen(cucumber('--files', ...files, '--concurrency', '1', '--history', history));
    assert.equal(first.code, 0);
    assert.deepEqual(startOrder(first.stdout), files, 'no history yet: given order');
    assert.match(first.stdout, /order: longest first by no history yet/);
    assert.ok((await stat(history)).size > 0, 'the history is a file next to the project');
    const second = await runBaleen(cucumber('--files', ...files, '--concurrency', '1', '--history', history));
    assert.match(second.stdout, /order: longest first by the project's history, 3 of 3 files known/);
    // inventory.feature waits 2.3 s, cart 0.5 s, refunds 0.3 s.
    assert.deepEqual(startOrder(second.stdout), [
      'features/inventory.feature',
      'features/cart.feature',
      'features/billing/refunds.feature',
    ]);
  });
});
