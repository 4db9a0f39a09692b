// Every file accounted for, every input checked before the first container, every exit clean (real CLI, real
// engine, real cucumber-js).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { XMLParser } from 'fast-xml-parser';
import { runBaleen, startBaleen, startServerProcess } from './support/cli.js';
import { containersWithLabels } from './support/docker.js';
import { BALEEN_BIN, FIXTURES, IMAGE } from './support/paths.js';

const cucumber = (...args: string[]) => ['cucumber', '--image', IMAGE, ...args];
const tempDir = () => mkdtemp(path.join(tmpdir(), 'baleen-accounting-'));
/** A label every container of one CLI process carries, so a test can look for exactly its own. */
const ownSession = (name: string) => `accounting-${name}-${process.pid}-${Date.now()}`;

interface JunitCase {
  classname: string;
  name: string;
  failure?: { message?: string } | string;
}

describe('every file accounted for, every input checked, every exit clean (real CLI, real engine)', () => {
  it('puts one failing testcase with its reason in the JUnit for each file that did not pass', async () => {
    const dir = await tempDir();
    const junit = path.join(dir, 'junit.xml');
    const result = await runBaleen(
      cucumber(
        '--files',
        'edge/failing.feature',
        'edge/timeout.feature',
        'edge/print-and-exit.feature',
        'features/cart.feature',
        '--timeout',
        '5',
        '--junit',
        junit,
      ),
    );
    assert.equal(result.code, 1, result.stdout);
    const parsed = new XMLParser({
      ignoreAttributes: false,
      attributeNamePrefix: '',
      isArray: (n) => n === 'testcase',
    }).parse(await readFile(junit, 'utf8')) as {
      testsuite: { timestamp: string; time: string; testcase: JunitCase[] };
    };
    const failures = parsed.testsuite.testcase.filter((testcase) => testcase.failure !== undefined);
    const message = (name: string) => {
      const failure = failures.find((testcase) => testcase.name === name)?.failure;
      return typeof failure === 'object' ? (failure.message ?? '') : (failure ?? '');
    };
    assert.match(message('Arithmetic that does not hold'), /2 plus 2 is 4, not 5/);
    assert.match(message('A step that hangs'), /timed out after 5 s/);
    assert.match(message('Exit in the first step'), /exited 0 before cucumber-js finished/);
    assert.equal(failures.length, 3, 'one failing testcase per file that did not pass, none for cart.feature');
    assert.ok(!parsed.testsuite.timestamp.startsWith('1970'), `a real timestamp, not ${parsed.testsuite.timestamp}`);
    // The report's time is the run's, as the summary gives it (`4 files (...) in 9.8s`).
    const wall = Number(/files? \(.*\) in (\d+\.\d)s/.exec(result.stdout)?.[1]);
    assert.ok(
      Math.abs(Number(parsed.testsuite.time) - wall) < 1,
      `JUnit time ${parsed.testsuite.time} s, run ${wall} s`,
    );
  });

  it('checks flags and report paths before anything starts, naming the flag and the allowed range', async () => {
    const session = ownSession('flags');
    const env = { BALEEN_SESSION: session };
    const tooMany = await runBaleen(cucumber('--files', 'features/cart.feature', '--concurrency', '100000'), { env });
    assert.equal(tooMany.code, 2);
    assert.match(tooMany.stderr, /--concurrency 100000: .*1024/);
    assert.doesNotMatch(tooMany.stdout, /accepted/, 'refused before the banner and before any server');
    const tiny = await runBaleen(cucumber('--files', 'features/cart.feature', '--memory', '1k'), { env });
    assert.equal(tiny.code, 2);
    assert.match(tiny.stderr, /--memory 1k: must be at least 6m/);
    const proc = await runBaleen(cucumber('--files', 'features/cart.feature', '--junit', '/proc/nope.xml'), { env });
    assert.equal(proc.code, 2);
    assert.match(proc.stderr, /--junit \/proc\/nope\.xml: cannot write there/);
    assert.doesNotMatch(`${tooMany.stderr}${tiny.stderr}${proc.stderr}`, /\n\s+at /, 'no stack trace');
    assert.deepEqual(await containersWithLabels([`baleen.session=${session}`]), [], 'no container was made');
  });

  it('says which config file is broken and where, with no stack trace', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'baleen.config.mjs'), 'export default { image: "x" ;\n');
    const broken = await runBaleen(cucumber('--files', 'x.feature'), { cwd: dir });
    assert.equal(broken.code, 2);
    assert.match(broken.stderr, /baleen\.config\.mjs: could not load it: SyntaxError/);
    assert.doesNotMatch(broken.stderr, /unexpected error|\n\s+at /);
    await rm(dir, { recursive: true, force: true });
  });

  it('stops quietly when its reader goes away (| head -1), leaving no container and no stack trace', async () => {
    const session = ownSession('head');
    const child = spawn(
      process.execPath,
      [BALEEN_BIN, ...cucumber('--files', 'edge/slow.feature', 'features/cart.feature')],
      {
        cwd: FIXTURES,
        env: { ...process.env, NO_COLOR: '1', BALEEN_SESSION: session },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    // Read until a container runs, then close the pipe as `head` does.
    await new Promise<void>((resolve) => {
      let seen = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        seen += chunk;
        if (seen.includes('▶ started')) {
          child.stdout.destroy();
          resolve();
        }
      });
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.notEqual(code, null);
    assert.doesNotMatch(stderr, /EPIPE|unexpected error|\n\s+at /, stderr);
    assert.deepEqual(await containersWithLabels([`baleen.session=${session}`]), [], 'its containers were removed');

    const help = spawn(process.execPath, [BALEEN_BIN, 'cucumber', '--help'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let helpErr = '';
    help.stderr.setEncoding('utf8').on('data', (chunk: string) => (helpErr += chunk));
    help.stdout.once('data', () => help.stdout.destroy());
    const helpCode = await new Promise<number | null>((resolve) => help.on('close', resolve));
    assert.equal(helpCode, 0, helpErr);
    assert.doesNotMatch(helpErr, /EPIPE|\n\s+at /);
  });

  it('fits a 60-column terminal: a compact summary and wrapped banner lines', async () => {
    const result = await runBaleen(cucumber('--files', 'features/accounts', 'edge/failing.feature'), {
      env: { COLUMNS: '60' },
    });
    assert.equal(result.code, 1);
    const summary = result.stdout.slice(result.stdout.lastIndexOf('── '));
    const wide = summary
      .split('\n')
      .slice(summary.split('\n').findIndex((line) => line.startsWith('✖ failed') || line.startsWith('✔ passed')))
      .filter((line) => Array.from(line).length > 60);
    assert.deepEqual(wide, [], 'every line of the summary table and totals fits');
    assert.match(result.stdout, /…nested\/permissions\.feature|accounts\/nested\/permissions\.feature/);
  });

  it('in a log, says every so often what is still running', async () => {
    const result = await runBaleen(cucumber('--files', 'edge/slow.feature'), {
      env: { BALEEN_STILL_RUNNING_SECONDS: '2' },
    });
    assert.equal(result.code, 0);
    assert.match(result.stdout, /still running: 1 file \(longest: edge\/slow\.feature, \d+\.\ds\)/);
  });

  it('tells the client when the server caps its concurrency', async () => {
    const state = await tempDir();
    const server = startServerProcess([
      '--port',
      '0',
      '--log-level',
      'warn',
      '--state-dir',
      state,
      '--capacity',
      '2',
      '--no-reaper',
    ]);
    try {
      const url = await server.waitForOutput(/listening on (wss?:\/\/\S+)/);
      const result = await runBaleen(
        cucumber('--files', 'features/cart.feature', '--server', url, '--concurrency', '8'),
      );
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /the server runs at most 2 of its containers at once \(asked 8\)/);
    } finally {
      server.child.kill('SIGINT');
      await server.done;
    }
  });

  it('exits 2 on a bad server option, as its --help says', async () => {
    const server = startServerProcess(['--port', 'abc']);
    const result = await server.done;
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--port/);
  });

  it('takes one Ctrl-C delivered twice (npm, npx) as one: the run is cancelled and its containers removed', async () => {
    const session = ownSession('ctrl-c-twice');
    const run = startBaleen(cucumber('--files', 'edge/slow.feature'), { env: { BALEEN_SESSION: session } });
    await run.waitForOutput(/▶ started/);
    run.child.kill('SIGINT');
    run.child.kill('SIGINT');
    const result = await run.done;
    assert.equal(result.code, 130);
    assert.doesNotMatch(result.stderr, /interrupted again/);
    assert.deepEqual(await containersWithLabels([`baleen.session=${session}`]), []);
  });

  it('on a real second Ctrl-C, leaves at once and says what it leaves and who removes it', async () => {
    const state = await tempDir();
    const server = startServerProcess(['--port', '0', '--log-level', 'warn', '--state-dir', state, '--no-reaper']);
    try {
      const url = await server.waitForOutput(/listening on (wss?:\/\/\S+)/);
      const run = startBaleen(cucumber('--files', 'edge/slow.feature', '--server', url));
      await run.waitForOutput(/▶ started/);
      // A server that does not answer: the first Ctrl-C waits for it, a second one a moment later does not.
      server.child.kill('SIGSTOP');
      run.child.kill('SIGINT');
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      run.child.kill('SIGINT');
      const result = await run.done;
      assert.equal(result.code, 130);
      assert.match(result.stderr, /interrupted again.*1 container may be left: the server removes them \(run run-/);
    } finally {
      server.child.kill('SIGCONT');
      server.child.kill('SIGINT');
      await server.done;
    }
  });
});
