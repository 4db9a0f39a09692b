import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ChannelDecoder, type ChannelMessage } from './channel-decoder.js';
import { cucumberRunnerCall } from './runner-command.js';

// The runner, run as a container runs it (node -e, stdout and stderr pipes), against the real cucumber-js 12 and
// the real mock-fs, without Docker: what steps do to the process must not reach the channel.

const requireHere = createRequire(import.meta.url);
const packageDir = (name: string): string => path.dirname(requireHere.resolve(`${name}/package.json`));

const STEPS = `
const { Given, Then, AfterAll, Before, After, setDefaultTimeout } = require('@cucumber/cucumber');
const mock = require('mock-fs');
const fs = require('fs');
const assert = require('assert');
setDefaultTimeout(20000);
Before({ tags: '@mockfs' }, function () { mock({ '/data/in.txt': 'hello' }); });
After({ tags: '@mockfs' }, function () { mock.restore(); });
Given('the mocked file says {string}', function (text) {
  assert.equal(fs.readFileSync('/data/in.txt', 'utf8'), text);
  fs.writeFileSync('/data/out.txt', text.toUpperCase());
});
Then('the mocked output says {string}', function (text) {
  assert.equal(fs.readFileSync('/data/out.txt', 'utf8'), text);
});
Given('a step that stubs the output streams and prints', function () {
  const out = process.stdout.write, err = process.stderr.write, log = console.log;
  const seen = [];
  process.stdout.write = process.stderr.write = function (chunk) { seen.push(String(chunk)); return true; };
  console.log = function () { seen.push('log'); };
  console.log('swallowed');
  process.stderr.write('swallowed too');
  process.stdout.write = out; process.stderr.write = err; console.log = log;
  process.stderr.write('a partial line without its end');
  process.stderr.write(Buffer.from([0, 1, 2, 30, 98, 108, 110, 255]));
  process.stdout.write('x'.repeat(2 * 1024 * 1024));
  assert.equal(seen.length, 2);
});
Then('{int} plus {int} is {int}', function (a, b, c) { assert.equal(a + b, c); });
AfterAll(function () { if (process.env.EXIT_IN_AFTER_ALL === '1') process.exit(0); });
`;

const FEATURES: Record<string, string> = {
  'features/a.feature': `Feature: A
  @mockfs
  Scenario: reads and writes a mocked file system
    Given the mocked file says "hello"
    Then the mocked output says "HELLO"

  Scenario: stubs stdout and stderr
    Given a step that stubs the output streams and prints
    Then 1 plus 1 is 2
`,
  'features/b.feature': `Feature: B
  Scenario Outline: adds <a>
    Then <a> plus 1 is <b>
    Examples:
      | a | b |
      | 1 | 2 |
      | 2 | 3 |
`,
};

let project: string;

before(async () => {
  project = await mkdtemp(path.join(tmpdir(), 'baleen-runner-'));
  await mkdir(path.join(project, 'features', 'support'), { recursive: true });
  await mkdir(path.join(project, 'node_modules', '@cucumber'), { recursive: true });
  await symlink(packageDir('@cucumber/cucumber'), path.join(project, 'node_modules', '@cucumber', 'cucumber'));
  await symlink(packageDir('mock-fs'), path.join(project, 'node_modules', 'mock-fs'));
  await mkdir(path.join(project, 'node_modules', '.bin'));
  await symlink('../@cucumber/cucumber/bin/cucumber.js', path.join(project, 'node_modules', '.bin', 'cucumber-js'));
  await writeFile(path.join(project, 'features', 'support', 'steps.cjs'), STEPS);
  for (const [file, text] of Object.entries(FEATURES)) await writeFile(path.join(project, file), text);
  // A configuration whose paths would run the whole suite in every container, and workers of its own.
  await writeFile(
    path.join(project, 'cucumber.json'),
    JSON.stringify({ default: { paths: ['features/**/*.feature'], require: ['features/support/*.cjs'] } }),
  );
});

after(async () => {
  await rm(project, { recursive: true, force: true });
});

async function runInProcess(
  targets: string[],
  args: string[] = [],
  env: Record<string, string> = {},
): Promise<{
  exitCode: number | null;
  messages: ChannelMessage[];
  stderr: string;
  stdoutBytes: number;
  broken?: string;
}> {
  const call = cucumberRunnerCall({ bin: 'node_modules/.bin/cucumber-js', args, targets, suitePaths: ['features'] });
  const child = spawn(process.execPath, call.argv.slice(1), {
    cwd: project,
    env: { PATH: process.env['PATH'] ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const messages: ChannelMessage[] = [];
  const text: Buffer[] = [];
  let broken: string | undefined;
  const decoder = new ChannelDecoder(
    call.marker,
    { write: (chunk) => (text.push(Buffer.from(chunk)), true) },
    { onMessage: (message) => messages.push(message), onBroken: (reason) => (broken = reason) },
  );
  let stdoutBytes = 0;
  child.stdout.on('data', (chunk: Buffer) => (stdoutBytes += chunk.length));
  child.stderr.on('data', (chunk: Buffer) => decoder.write(chunk));
  const exitCode = await new Promise<number | null>((resolve) => child.on('close', resolve));
  decoder.end();
  return {
    exitCode,
    messages,
    stderr: Buffer.concat(text).toString('latin1'),
    stdoutBytes,
    ...(broken === undefined ? {} : { broken }),
  };
}

const kinds = (messages: ChannelMessage[]): string[] => messages.map((message) => Object.keys(message)[0] ?? '');
const finishedCases = (messages: ChannelMessage[]): number =>
  kinds(messages).filter((k) => k === 'testCaseFinished').length;

describe('the in-container runner (real cucumber-js, real pipes, no Docker)', () => {
  it('runs only its target although the config names every path, and the channel survives mock-fs and stubbed streams', async () => {
    const run = await runInProcess(['features/a.feature']);
    assert.equal(run.broken, undefined);
    assert.equal(
      run.exitCode,
      0,
      JSON.stringify(run.messages.filter((m) => JSON.stringify(m).includes('FAILED') || 'testRunFinished' in m)).slice(
        0,
        3000,
      ),
    );
    assert.equal(finishedCases(run.messages), 2, 'both scenarios of a.feature, none of b.feature');
    const pickles = run.messages.flatMap((message) =>
      'pickle' in message ? [message['pickle'] as { uri: string }] : [],
    );
    assert.deepEqual([...new Set(pickles.map((pickle) => pickle.uri))], ['features/a.feature']);
    assert.ok(kinds(run.messages).includes('testRunFinished'));
    const own = run.messages
      .filter((message) => 'baleen' in message)
      .map((message) => Object.keys(message['baleen'] as object)[0]);
    assert.deepEqual(own, ['hello', 'cucumber', 'exit']);
    assert.ok(run.stderr.includes('a partial line without its end'), 'the step’s own stderr stays text');
    assert.ok(run.stderr.includes('\u0000\u0001\u0002\u001ebln\u00ff'), 'binary bytes pass through unchanged');
    assert.ok(!run.stderr.includes('swallowed'), 'what the stubs swallowed stays swallowed');
    assert.ok(run.stdoutBytes > 2 * 1024 * 1024);
  });

  it('keeps every message when a hook ends the process with process.exit(0), and when workers share the pipe', async () => {
    const exited = await runInProcess(['features/b.feature'], [], { EXIT_IN_AFTER_ALL: '1' });
    assert.equal(exited.exitCode, 0);
    assert.equal(finishedCases(exited.messages), 2);
    assert.equal(exited.broken, undefined);
    const parallel = await runInProcess(['features/a.feature', 'features/b.feature'], ['--parallel', '2']);
    assert.equal(parallel.exitCode, 0, parallel.stderr.slice(-2000));
    assert.equal(parallel.broken, undefined);
    assert.equal(finishedCases(parallel.messages), 4);
  });

  it('runs exactly the lines it is given', async () => {
    const run = await runInProcess(['features/b.feature:7']);
    assert.equal(finishedCases(run.messages), 1);
  });

  it('says so on the channel when there is no cucumber-js where it is pointed', async () => {
    const call = await runInProcess(['features/b.feature'], []);
    assert.ok(call.messages.length > 0);
    const missing = cucumberRunnerCall({ bin: 'nowhere/cucumber-js', args: [], targets: ['x'], suitePaths: [] });
    const child = spawn(process.execPath, missing.argv.slice(1), { cwd: project, stdio: ['ignore', 'ignore', 'pipe'] });
    const messages: ChannelMessage[] = [];
    const decoder = new ChannelDecoder(
      missing.marker,
      { write: () => true },
      {
        onMessage: (message) => messages.push(message),
        onBroken: () => undefined,
      },
    );
    child.stderr.on('data', (chunk: Buffer) => decoder.write(chunk));
    const exitCode = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.equal(exitCode, 70);
    const error = messages.find((message) => 'baleen' in message && 'error' in (message['baleen'] as object));
    assert.match(JSON.stringify(error), /CUCUMBER_NOT_FOUND.*nowhere\/cucumber-js/);
  });
});
