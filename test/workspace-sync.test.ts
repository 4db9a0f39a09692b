import assert from 'node:assert/strict';
import { cp, mkdir, mkdtemp, readFile, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runBaleen, startServerProcess, type RunningCli } from './support/cli.js';
import { FIXTURES, IMAGE } from './support/paths.js';

async function startServer(args: string[]): Promise<{ server: RunningCli; url: string }> {
  const stateDir = await mkdtemp(path.join(tmpdir(), 'baleen-state-'));
  const server = startServerProcess(['--port', '0', '--log-level', 'warn', '--state-dir', stateDir, ...args]);
  return { server, url: await server.waitForOutput(/listening on (ws:\/\/\S+)/) };
}

/** A copy of the fixture project, as a user's checkout would be: the image has node_modules, the disk has edits. */
async function copyOfFixtures(): Promise<string> {
  const project = await mkdtemp(path.join(tmpdir(), 'baleen-sync-project-'));
  await cp(FIXTURES, project, {
    recursive: true,
    filter: (source) => !/[/\\](node_modules|\.baleen)([/\\]|$)/.test(path.relative(FIXTURES, source) || '.'),
  });
  return project;
}

describe('workspace sync (real CLI, real server, real engine)', () => {
  let server: RunningCli;
  let url = '';
  let project = '';
  const cucumber = (...args: string[]) => ['cucumber', '--image', IMAGE, '--server', url, ...args];
  /** `baleen run` of a shell check in the container's work dir: exit 0 when the check holds. */
  const check = (script: string, ...flags: string[]) =>
    runBaleen(
      ['run', '--image', IMAGE, '--server', url, '--files', 'probe.txt', ...flags, '--', 'sh', '-c', script, '{file}'],
      {
        cwd: project,
      },
    );

  before(async () => {
    ({ server, url } = await startServer([]));
    project = await copyOfFixtures();
    await writeFile(path.join(project, 'probe.txt'), 'only on the disk, not in the image\n');
  });

  after(async () => {
    server.child.kill('SIGTERM');
    await server.done;
  });

  it('runs the step file edited on disk with --sync; without it the image’s own copy runs', async () => {
    const steps = path.join(project, 'support/steps.mjs');
    const original = await readFile(steps, 'utf8');
    assert.ok(original.includes('this.items.push(item);'));
    // "Adding a product" expects 3 items: adding each item twice makes it fail.
    await writeFile(steps, original.replace('this.items.push(item);', 'this.items.push(item, item);'));

    const synced = await runBaleen(cucumber('--files', 'features/cart.feature', '--sync'), { cwd: project });
    assert.equal(synced.code, 1, synced.stdout + synced.stderr);
    assert.match(synced.stdout, /sync: \d+ files, [\d.]+ KiB — sent [\d.]+ KiB\n/);
    assert.match(synced.stdout, /the list has 4 items, not 3/);

    const baked = await runBaleen(cucumber('--files', 'features/cart.feature'), { cwd: project });
    assert.equal(baked.code, 0, baked.stdout + baked.stderr);
    assert.doesNotMatch(baked.stdout, /sync:/);
  });

  it('sends an unchanged tree as its hash alone, and a one-line edit as that one file', async () => {
    const unchanged = await runBaleen(cucumber('--files', 'features/cart.feature', '--sync'), { cwd: project });
    assert.match(unchanged.stdout, /sync: \d+ files, [\d.]+ KiB — already on the server, sent only its hash/);

    const feature = path.join(project, 'features/login.feature');
    await writeFile(feature, `${await readFile(feature, 'utf8')}\n# an edit\n`);
    const edited = await runBaleen(cucumber('--files', 'features/login.feature', '--sync'), { cwd: project });
    assert.equal(edited.code, 0, edited.stdout + edited.stderr);
    assert.match(edited.stdout, /sent \d+ B \(1 file\), the rest was on the server/);
  });

  it('leaves out what .baleenignore lists, and places the rest at the work dir', async () => {
    await writeFile(path.join(project, 'secret.txt'), 'not for the container\n');
    await writeFile(path.join(project, '.baleenignore'), 'secret.txt\n');
    const result = await check('test -f probe.txt && test ! -e secret.txt', '--sync');
    assert.equal(result.code, 0, result.stdout + result.stderr);
    // And the check can fail: without --sync, probe.txt is not in the image.
    const unsynced = await check('test -f probe.txt');
    assert.equal(unsynced.code, 1, unsynced.stdout + unsynced.stderr);
  });

  it('does not follow a symlink that points outside the tree', async () => {
    const outside = await mkdtemp(path.join(tmpdir(), 'baleen-outside-'));
    await writeFile(path.join(outside, 'private.txt'), 'outside the project\n');
    await symlink(outside, path.join(project, 'outside-link'));
    await mkdir(path.join(project, 'docs'), { recursive: true });
    await symlink('../probe.txt', path.join(project, 'docs/probe-link'));
    const result = await check(
      'test ! -e outside-link && test "$(cat docs/probe-link)" = "$(cat probe.txt)"',
      '--sync',
    );
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(
      result.stderr,
      /--sync leaves out outside-link \(a symlink to .*, outside the project: not followed\)/,
    );
  });

  it('--mount-workspace bind-mounts the project read-only at --work-dir, where the server allows host volumes', async () => {
    const script = 'test -f probe.txt && ! touch written-by-the-container 2>/dev/null';
    const flags = ['--mount-workspace', '--work-dir', '/app'];
    const embedded = await runBaleen(
      ['run', '--image', IMAGE, '--files', 'probe.txt', ...flags, '--', 'sh', '-c', script, '{file}'],
      {
        cwd: project,
      },
    );
    assert.equal(embedded.code, 0, embedded.stdout + embedded.stderr);
    // A suite that writes into its tree fails on the read-only mount; the client names the way out.
    const writer = await runBaleen(
      ['run', '--image', IMAGE, '--files', 'probe.txt', ...flags, '--', 'sh', '-c', 'touch "$1.out"', 'sh', '{file}'],
      { cwd: project },
    );
    assert.equal(writer.code, 1, writer.stdout + writer.stderr);
    assert.match(writer.stderr, /probe\.txt tried to write into the project, which --mount-workspace mounts read-only/);
    assert.match(writer.stderr, /use --sync instead/);
    // A shared server does not let a client mount its host's folders unless told --allow-volumes.
    const shared = await check(script, ...flags);
    assert.equal(shared.code, 2, shared.stdout + shared.stderr);
    assert.match(shared.stderr, /--allow-volumes/);
  });

  it('refuses a tree over the server’s cap, naming the cap and the biggest files', async () => {
    const small = await startServer(['--max-sync-bytes', '100000']);
    try {
      await writeFile(path.join(project, 'big.bin'), Buffer.alloc(300_000, 1));
      const result = await runBaleen(
        ['cucumber', '--image', IMAGE, '--server', small.url, '--files', 'features/cart.feature', '--sync'],
        { cwd: project },
      );
      assert.equal(result.code, 2, result.stdout + result.stderr);
      assert.match(
        result.stderr,
        /over this server's --max-sync-bytes of 100000 bytes; the biggest files: big\.bin \(300000 bytes\)/,
      );
      assert.match(result.stderr, /\.baleenignore/);
    } finally {
      small.server.child.kill('SIGTERM');
      await small.server.done;
    }
  });
});
