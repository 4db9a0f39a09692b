// Where CI looks: GitHub Actions annotations and step summary, --reporter, and --last-failed from the project's
// history and from a shared server (a second checkout, a token's own runs only).
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { marked, type Tokens } from 'marked';
import { runBaleen, runBaleenWithReport, startServerProcess, type RunningCli } from './support/cli.js';
import { FIXTURES, IMAGE, REPO_ROOT } from './support/paths.js';

const cucumber = (...args: string[]) => ['cucumber', '--image', IMAGE, ...args];
/** One passing file and one whose second scenario (line 7) fails. */
const TWO_FILES = ['--files', 'features/cart.feature', 'edge/failing.feature'];
/** Outside GitHub and GitLab whatever the machine running the tests is. */
const NO_CI = { GITHUB_ACTIONS: '', GITLAB_CI: '', GITHUB_STEP_SUMMARY: '' };

let dir: string;
before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'baleen-ci-native-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('in CI', () => {
  it('annotates the failed scenario at its line, folds the failed output and writes a Markdown step summary', async () => {
    const summaryFile = path.join(dir, 'step-summary.md');
    await writeFile(summaryFile, '## an earlier step\n\n');
    const result = await runBaleen(cucumber(...TWO_FILES, '--history', path.join(dir, 'gh.sqlite')), {
      env: { ...NO_CI, GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summaryFile, GITHUB_WORKSPACE: REPO_ROOT },
    });
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stdout, /reporters list, github \(detected GitHub Actions\)/);

    // One error, at the scenario's line, the path relative to the repository's root, `:` escaped in the title.
    const errors = result.stdout.split('\n').filter((line) => line.startsWith('::error '));
    assert.equal(errors.length, 1, result.stdout);
    assert.match(
      errors[0] ?? '',
      /^::error file=fixtures\/cucumber\/edge\/failing\.feature,line=7,title=failed scenario%3A Arithmetic that does not hold::AssertionError \[ERR_ASSERTION\]: 2 plus 2 is 4, not 5/,
    );
    assert.doesNotMatch(errors[0] ?? '', /\n/);

    // The failed file's output folded, commands inside it off; the passed file's output not shown.
    const group =
      /::group::edge\/failing\.feature — failed output\n::stop-commands::(baleen-[0-9a-f]+)\n([\s\S]*?)\n::\1::\n::endgroup::/.exec(
        result.stdout,
      );
    assert.ok(group, result.stdout);
    assert.match(group[2] ?? '', /2 plus 2 is 4, not 5/);
    assert.equal(result.stdout.match(/::group::/g)?.length, 1);

    // The summary is appended (the earlier step's stays) and renders as Markdown: a table of both files.
    const markdown = await readFile(summaryFile, 'utf8');
    assert.ok(markdown.startsWith('## an earlier step\n'));
    const tokens = marked.lexer(markdown);
    const headings = tokens.filter((token): token is Tokens.Heading => token.type === 'heading').map((h) => h.text);
    assert.deepEqual(headings, ['an earlier step', 'Baleen: ❌ failed', 'Slowest files']);
    const tables = tokens.filter((token): token is Tokens.Table => token.type === 'table');
    assert.equal(tables.length, 2);
    const [files, slowest] = tables;
    assert.deepEqual(
      files?.header.map((cell) => cell.text),
      ['File', 'Status', 'Scenarios', 'Duration', 'Attempts'],
    );
    assert.deepEqual(
      files?.rows.map((row) => [row[0]?.text, row[1]?.text, row[2]?.text, row[4]?.text]),
      [
        ['edge/failing.feature', '❌ failed', '1 passed, 1 failed', '1'],
        ['features/cart.feature', '✅ passed', '3 passed', '1'],
      ],
    );
    assert.equal(slowest?.rows.length, 2);
    assert.match(markdown, /\*\*2 files\*\* \(1 passed, 1 failed\) in /);
  });

  it('on GitLab CI, writes JUnit whose test cases carry their feature file and line for the merge request widget', async () => {
    const junit = path.join(dir, 'gitlab.xml');
    const result = await runBaleen(cucumber(...TWO_FILES, '--junit', junit), {
      env: { ...NO_CI, GITLAB_CI: 'true', CI_PROJECT_DIR: REPO_ROOT },
    });
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stdout, /reporters list, junit \(detected GitLab CI\)/);
    const cases = [
      ...(await readFile(junit, 'utf8')).matchAll(/<testcase file="([^"]+)" line="(\d+)"[^>]* name="([^"]+)"/g),
    ];
    assert.deepEqual(
      cases.map(([, file, line, name]) => [file, Number(line), name]),
      [
        ['fixtures/cucumber/edge/failing.feature', 4, 'Arithmetic that holds'],
        ['fixtures/cucumber/edge/failing.feature', 7, 'Arithmetic that does not hold'],
        ['fixtures/cucumber/features/cart.feature', 7, 'Adding a product'],
        ['fixtures/cucumber/features/cart.feature', 13, 'Removing a product'],
        ['fixtures/cucumber/features/cart.feature', 19, 'Cart total'],
      ],
    );
  });

  it('--reporter chooses: no annotations without github, a JUnit file with junit; a wrong name is exit 2', async () => {
    const summaryFile = path.join(dir, 'unused-summary.md');
    const junit = path.join(dir, 'chosen.xml');
    const result = await runBaleen(
      cucumber('--files', 'edge/failing.feature', '--reporter', 'list,junit', '--junit', junit),
      { env: { ...NO_CI, GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summaryFile } },
    );
    assert.equal(result.code, 1, result.stderr);
    assert.doesNotMatch(result.stdout, /^::(error|group)/m);
    await assert.rejects(readFile(summaryFile), /ENOENT/);
    assert.match(await readFile(junit, 'utf8'), /<testcase[^>]*name="Arithmetic that does not hold"/);

    const wrong = await runBaleen(cucumber('--files', 'edge/failing.feature', '--reporter', 'list,gihtub'));
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /--reporter gihtub: unknown reporter — choose from list, github, junit/);
  });
});

describe('--last-failed', () => {
  it('reruns only the scenario that failed in the project’s last run, and exits 2 when nothing failed', async () => {
    const history = ['--history', path.join(dir, 'project.sqlite')];
    const first = await runBaleen(cucumber(...TWO_FILES, ...history), { env: NO_CI });
    assert.equal(first.code, 1, first.stderr);

    const rerun = await runBaleenWithReport(cucumber('--last-failed', ...history), { env: NO_CI });
    assert.equal(rerun.code, 1, rerun.stderr);
    assert.match(
      rerun.stdout,
      /--last-failed: 1 of 2 files from run run-\w+ .*: edge\/failing\.feature \(1 scenario\)/,
    );
    assert.deepEqual(
      rerun.report.files.map((file) => [
        file.file,
        file.status,
        file.scenarios?.['failed'],
        file.scenarios?.['passed'],
      ]),
      [['edge/failing.feature', 'failed', 1, 0]],
    );

    // A run where everything passed leaves nothing to rerun.
    assert.equal((await runBaleen(cucumber('--files', 'features/cart.feature', ...history), { env: NO_CI })).code, 0);
    const nothing = await runBaleen(cucumber('--last-failed', ...history), { env: NO_CI });
    assert.equal(nothing.code, 2);
    assert.match(nothing.stderr, /--last-failed: every file passed in run run-\w+ .* — nothing to rerun/);
    const allowed = await runBaleen(cucumber('--last-failed', '--pass-with-no-scenarios', ...history), { env: NO_CI });
    assert.equal(allowed.code, 0, allowed.stderr);
  });

  describe('with a shared server', () => {
    let server: RunningCli | undefined;
    let url = '';
    const stateDir = () => path.join(dir, 'server-state');
    const tokens = () => path.join(dir, 'tokens');
    const start = async (): Promise<void> => {
      server = startServerProcess([
        '--port',
        '0',
        '--log-level',
        'warn',
        '--state-dir',
        stateDir(),
        '--token-file',
        tokens(),
        '--no-reaper',
      ]);
      url = await server.waitForOutput(/listening on (wss?:\/\/\S+)/);
    };
    const stop = async (): Promise<void> => {
      if (server === undefined || server.child.exitCode !== null) return;
      server.child.kill('SIGINT');
      await server.done;
    };
    before(async () => {
      await writeFile(tokens(), 'team-a-token\nteam-b-token\n');
      await start();
    });
    after(stop);

    it('reruns from a fresh checkout what failed for this token, survives a restart, and tells another token nothing', async () => {
      const asA = { env: { ...NO_CI, BALEEN_TOKEN: 'team-a-token' } };
      const first = await runBaleen(cucumber(...TWO_FILES, '--server', url), asA);
      assert.equal(first.code, 1, first.stderr);

      // A second checkout: the project's tree with no .baleen history of its own.
      const checkout = path.join(dir, 'second-checkout');
      await cp(FIXTURES, checkout, {
        recursive: true,
        filter: (source) => !/[/\\](\.baleen|node_modules)$/.test(source),
      });
      const rerun = await runBaleenWithReport(cucumber('--last-failed', '--server', url), { cwd: checkout, ...asA });
      assert.equal(rerun.code, 1, rerun.stderr);
      assert.match(rerun.stdout, /--last-failed: 1 of 2 files from run run-\w+/);
      assert.deepEqual(
        rerun.report.files.map((file) => [file.file, file.status, file.scenarios?.['failed']]),
        [['edge/failing.feature', 'failed', 1]],
      );

      // The tenant keeps its name (the state dir's key) and so its history across a restart.
      await stop();
      await start();
      const afterRestart = await runBaleenWithReport(cucumber('--last-failed', '--server', url), {
        cwd: checkout,
        ...asA,
      });
      assert.equal(afterRestart.code, 1, afterRestart.stderr);
      assert.deepEqual(
        afterRestart.report.files.map((file) => file.file),
        ['edge/failing.feature'],
      );

      // Team B has no run of this suite: it learns nothing of team A's.
      const other = await runBaleen(cucumber('--last-failed', '--server', url), {
        cwd: checkout,
        env: { ...NO_CI, BALEEN_TOKEN: 'team-b-token' },
      });
      assert.equal(other.code, 2);
      assert.match(other.stderr, /no finished run of suite 'baleen-fixtures' in ws:\/\/\S+ — nothing to rerun/);
      assert.doesNotMatch(other.stdout + other.stderr, /failing\.feature/);
    });
  });
});
