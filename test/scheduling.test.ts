// Start-up paid once and history on the server (real CLI, real server process, real engine): the server keeps
// each suite's history in SQLite under its --state-dir, so a fresh checkout (CI) is ordered, split and packed as
// well as a warm local run; results stay per file whatever shares or splits a container.
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { XMLParser } from 'fast-xml-parser';
import { runBaleenWithReport, startServerProcess, type RunningCli } from './support/cli.js';
import { FIXTURES, IMAGE } from './support/paths.js';

const SLOW = 'edge/slow.feature'; // 4 scenarios of 2 s
const SHORT = ['features/cart.feature', 'features/login.feature', 'features/profile.feature'];

let server: RunningCli;
let url: string;
let stateDir: string;

/** A checkout of the fixture project as CI has it: the files, without node_modules or any .baleen state. */
async function freshCheckout(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'baleen-checkout-'));
  await cp(FIXTURES, dir, {
    recursive: true,
    filter: (source) => !/[/\\](node_modules|\.baleen)([/\\]|$)/.test(source),
  });
  return dir;
}

const cucumber = (...args: string[]) => ['cucumber', '--image', IMAGE, '--server', url, ...args];

before(async () => {
  stateDir = await mkdtemp(path.join(tmpdir(), 'baleen-state-'));
  server = startServerProcess(['--port', '0', '--log-level', 'warn', '--state-dir', stateDir, '--capacity', '4']);
  url = await server.waitForOutput(/listening on (wss?:\/\/\S+)/);
});

after(async () => {
  server.child.kill('SIGINT');
  await server.done;
  await rm(stateDir, { recursive: true, force: true });
});

describe('scheduling from the server’s history (real server, real engine)', () => {
  it('learns a suite on a first run, then orders a fresh checkout longest first and splits its long file', async () => {
    const first = await runBaleenWithReport(cucumber('--files', SLOW, ...SHORT, '--concurrency', '4'), {
      cwd: await freshCheckout(),
    });
    assert.equal(first.code, 0, first.stdout);
    assert.match(first.stdout, /order: longest first by no history yet/);

    const checkout = await freshCheckout();
    const second = await runBaleenWithReport(
      cucumber('--files', SLOW, ...SHORT, '--concurrency', '4', '--junit', 'junit.xml'),
      { cwd: checkout },
    );
    assert.equal(second.code, 0, second.stdout);
    assert.match(second.stdout, /order: longest first by the server's history, 4 of 4 files known/);
    const split = /edge\/slow\.feature split in (\d+)/.exec(second.stdout);
    assert.ok(split !== null, `the long file is split:\n${second.stdout}`);
    const parts = Number(split[1]);
    assert.ok(parts >= 2);
    const slow = second.report.files.find((file) => file.file === SLOW) as
      { status: string; chunks?: number; scenarios?: { passed: number } } | undefined;
    assert.equal(slow?.status, 'passed');
    assert.equal(slow?.chunks, parts);
    assert.equal(slow?.scenarios?.['passed'], 4, 'one file, its chunks’ scenarios merged');
    assert.match(second.stdout, /^12 scenarios \(12 passed\)$/m);
    const xml = await readFile(path.join(checkout, 'junit.xml'), 'utf8');
    const cases = (
      new XMLParser({ ignoreAttributes: false, isArray: (name) => name === 'testcase' }).parse(xml) as {
        testsuite: { testcase: { '@_classname': string }[] };
      }
    ).testsuite.testcase;
    assert.equal(cases.filter((testcase) => testcase['@_classname'] === 'Slow fixture').length, 4);

    // One at a time and unsplit, a fresh checkout starts the files longest first, by the server's history alone.
    const third = await runBaleenWithReport(
      cucumber('--files', ...SHORT, SLOW, '--concurrency', '1', '--split', 'off'),
      { cwd: await freshCheckout() },
    );
    assert.equal(third.code, 0, third.stdout);
    const started = [...third.stdout.matchAll(/▶ started (\S+)/g)].map((match) => match[1]);
    assert.equal(started[0], SLOW, `the 8 s file first:\n${third.stdout}`);
  });

  it('packs files into shared containers with --pack and still reports each on its own', async () => {
    const run = await runBaleenWithReport(cucumber('--files', ...SHORT, '--pack', '30', '--concurrency', '1'), {
      cwd: await freshCheckout(),
    });
    assert.equal(run.code, 0, run.stdout);
    assert.match(run.stdout, /1 pack \(3 files share containers\)/);
    assert.deepEqual(
      run.report.files.map((file) => [file.file, file.status, file.pack?.files, file.scenarios?.['passed']]),
      [
        ['features/cart.feature', 'passed', 3, 3],
        ['features/login.feature', 'passed', 3, 3],
        ['features/profile.feature', 'passed', 3, 2],
      ],
    );
  });

  it('--pack auto makes about one pack per slot from the server’s history', async () => {
    const run = await runBaleenWithReport(cucumber('--files', ...SHORT, '--pack', 'auto', '--concurrency', '1'), {
      cwd: await freshCheckout(),
    });
    assert.equal(run.code, 0, run.stdout);
    // One slot: the three known short files share one container.
    assert.match(run.stdout, /1 pack \(3 files share containers\)/);
    assert.deepEqual(
      run.report.files.map((file) => file.pack?.files),
      [3, 3, 3],
    );
  });
});
