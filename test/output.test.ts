import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runBaleenWithReport, startServerProcess, type RunningCli } from './support/cli.js';
import { IMAGE } from './support/paths.js';

const cucumber = (...args: string[]) => ['cucumber', '--image', IMAGE, ...args];

function numbered(text: string, prefix: string): number[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${prefix} `))
    .map((line) => Number(line.slice(prefix.length + 1)));
}

describe('container output (real CLI, real engine)', () => {
  it('delivers 1000 numbered lines complete and in order, stdout and stderr kept apart', async () => {
    const { code, report } = await runBaleenWithReport(cucumber('--files', 'edge/output-flood.feature'));
    assert.equal(code, 0);
    const [file] = report.files;
    const expected = Array.from({ length: 1000 }, (_, i) => i + 1);
    assert.deepEqual(numbered(file?.stdout ?? '', 'flood-line'), expected);
    assert.deepEqual(numbered(file?.stderr ?? '', 'flood-err'), expected);
    assert.ok(!(file?.stdout ?? '').includes('flood-err'), 'no stderr in stdout');
    assert.ok(!(file?.stderr ?? '').includes('flood-line'), 'no stdout in stderr');
    assert.equal(file?.stdoutTruncated, false);
  });

  it('caps kept output per stream with a visible truncation marker, keeping the start and the end', async () => {
    const { code, report, stdout } = await runBaleenWithReport(
      cucumber('--files', 'edge/output-flood.feature', '--max-output-bytes', '2000', '--show-output'),
    );
    assert.equal(code, 0);
    const [file] = report.files;
    assert.equal(file?.stdoutTruncated, true);
    assert.equal(file?.stderrTruncated, true);
    assert.match(file?.stdout ?? '', /\[baleen: \d+ bytes of stdout omitted here/);
    assert.ok((file?.stdout.length ?? 0) < 2_300);
    assert.ok(file?.stdout.includes('flood-line 0001'));
    assert.ok(file?.stderr.includes('flood-err 1000'));
    assert.match(stdout, /stdout \(truncated\):/);
  });

  describe('a container that prints and exits at once', () => {
    let server: RunningCli;
    let url: string;
    before(async () => {
      server = startServerProcess(['--port', '0', '--capacity', '8', '--log-level', 'warn']);
      url = await server.waitForOutput(/listening on (ws:\/\/\S+)/);
    });
    after(async () => {
      server.child.kill('SIGTERM');
      assert.equal((await server.done).code, 0);
    });

    it('never loses its output (50 runs)', async () => {
      const runs = 50;
      const lost: string[] = [];
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < runs) {
          const attempt = next++;
          const { code, report } = await runBaleenWithReport(
            cucumber('--files', 'edge/print-and-exit.feature', '--server', url),
          );
          const [file] = report.files;
          // cucumber never finished its run, so the file fails (INCOMPLETE) — but its output must be whole.
          const complete =
            code === 1 &&
            file?.error?.code === 'INCOMPLETE' &&
            file.stdout.includes('baleen-print-and-exit stdout marker') &&
            file.stderr.includes('baleen-print-and-exit stderr marker');
          if (!complete) lost.push(`run ${attempt}: exit ${String(code)} ${JSON.stringify(file)}`);
        }
      };
      await Promise.all(Array.from({ length: 6 }, worker));
      assert.deepEqual(lost, []);
    });
  });

  it('passes odd file names through unchanged, never through a shell', async () => {
    const odd = `edge/odd names/spaces; $(touch pwned) 'quotes' & more.feature`;
    const { code, report, stdout } = await runBaleenWithReport(cucumber('--files', 'edge/odd names', '--show-output'));
    assert.equal(code, 0, stdout);
    assert.equal(report.files[0]?.file, odd);
    assert.equal(report.files[0]?.status, 'passed');
    // cucumber saw the exact path, and the scenario checked that `$(touch pwned)` never ran.
    assert.ok(report.files[0]?.stdout.includes(`baleen-odd-name-uri: ${odd}`), report.files[0]?.stdout);
  });

  it('runs --before-command in a shell first, and its failure fails the file with its output', async () => {
    const ok = await runBaleenWithReport(
      cucumber('--files', 'features/cart.feature', '--before-command', 'echo "before says hi from $BALEEN_FILE"'),
    );
    assert.equal(ok.code, 0);
    assert.match(ok.report.files[0]?.stdout ?? '', /^before says hi from features\/cart\.feature$/m);

    const bad = await runBaleenWithReport(
      cucumber('--files', 'features/cart.feature', '--before-command', 'echo seeding; exit 7; echo never'),
    );
    assert.equal(bad.code, 1);
    const [file] = bad.report.files;
    assert.equal(file?.status, 'failed');
    assert.equal(file?.exitCode, 7);
    assert.match(file?.stdout ?? '', /seeding/);
    assert.ok(!(file?.stdout ?? '').includes('never'));
    // The failing line is named: it is the last one traced before baleen's message.
    assert.match(
      file?.stderr ?? '',
      /\+ before-command: exit 7\nbaleen: --before-command failed with exit code 7 at its last '\+ before-command:' line above; the test command did not run/,
    );
    assert.match(bad.stdout, /before-command failed/);
  });

  it('gives each container its --env and its place in the run', async () => {
    const { code, report } = await runBaleenWithReport(
      // --order given: the index is the place in the given order, whatever earlier runs' timings say.
      cucumber(
        '--files',
        'edge/env.feature',
        'features/cart.feature',
        '--env',
        'FIXTURE_GREETING=hello world',
        '--order',
        'given',
      ),
    );
    assert.equal(code, 0);
    const env = report.files.find((f) => f.file === 'edge/env.feature')?.stdout ?? '';
    assert.match(env, /^baleen-env FIXTURE_GREETING=hello world$/m);
    assert.match(env, /^baleen-env BALEEN_FILE=edge\/env\.feature$/m);
    assert.match(env, new RegExp(`^baleen-env BALEEN_RUN_ID=${report.runId}$`, 'm'));
    assert.match(env, /^baleen-env BALEEN_INDEX=0$/m);
    assert.match(env, /^baleen-env BALEEN_TOTAL=2$/m);
    assert.match(env, /^baleen-env BALEEN_ATTEMPT=1$/m);
  });

  it('passes extra cucumber-js arguments after --', async () => {
    const { code, report } = await runBaleenWithReport([
      ...cucumber('--files', 'features/cart.feature', '--show-output'),
      '--',
      '--dry-run',
    ]);
    assert.equal(code, 0);
    // A dry run skips every step.
    assert.match(report.files[0]?.stdout ?? '', /skipped/);
  });
});
