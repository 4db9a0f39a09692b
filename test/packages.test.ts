// The packages as a user gets them: `npm pack` of the three workspaces, installed on their own into empty folders
// (`npm install -g`, and `npx` of the tarballs), with no link to this checkout; then the demo runs against the
// installed `baleen`, and a run goes through the installed `baleen-server`.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { startNode } from './support/cli.js';
import { FIXTURES, IMAGE, REPO_ROOT } from './support/paths.js';

const exec = promisify(execFile);
const runNodeBin = (bin: string, args: string[], options: { cwd: string }) => startNode(bin, args, options).done;

let work: string;
let tarballs: string[];
let prefix: string;
/** For npm: no audit or funding calls, and better-sqlite3's binary from this checkout's own build (see below). */
let npmEnv: NodeJS.ProcessEnv;

before(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'baleen-packages-'));
  await exec(
    'npm',
    [
      'pack',
      '--silent',
      '--pack-destination',
      work,
      './packages/protocol',
      './packages/reports',
      './packages/server',
      './packages/client',
    ],
    {
      cwd: REPO_ROOT,
    },
  );
  tarballs = (await readdir(work)).filter((name) => name.endsWith('.tgz')).map((name) => path.join(work, name));
  npmEnv = {
    ...process.env,
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
    // What the cache holds is not asked for again: the registry is slow from here, and each install takes 290.
    npm_config_prefer_offline: 'true',
  };
  // Compiling SQLite takes minutes on this machine, and prebuild-install's GitHub download is not reachable here:
  // its local-prebuild hook is given the binary this checkout's `npm ci` built (same Node ABI). Set
  // BALEEN_PACKAGES_FROM_SOURCE=1 to build it from source as a fresh machine without internet would.
  if (process.env['BALEEN_PACKAGES_FROM_SOURCE'] !== '1') {
    const prebuilds = path.join(work, 'prebuilds');
    await mkdir(prebuilds);
    const { version } = (await import(path.join(REPO_ROOT, 'node_modules/better-sqlite3/package.json'), {
      with: { type: 'json' },
    })) as { default: { version: string } } & { version: string };
    const name = `better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`;
    await exec('tar', [
      'czf',
      path.join(prebuilds, name),
      '-C',
      path.join(REPO_ROOT, 'node_modules/better-sqlite3'),
      'build/Release/better_sqlite3.node',
    ]);
    // prebuild-install's name for it: npm_config_ + the package's name with non-alphanumerics as _.
    npmEnv['npm_config_better_sqlite3_local_prebuilds'] = prebuilds;
  }
  prefix = path.join(work, 'global');
  await exec('npm', ['install', '--global', '--prefix', prefix, ...tarballs], {
    cwd: work,
    env: npmEnv,
    timeout: 10 * 60_000,
  });
});

after(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('the packed packages', () => {
  it('are four tarballs, each with its README, licence, bins and no tests', async () => {
    assert.deepEqual(tarballs.map((file) => path.basename(file)).sort(), [
      'baleen-client-0.1.0.tgz',
      'baleen-protocol-0.1.0.tgz',
      'baleen-reports-0.1.0.tgz',
      'baleen-server-0.1.0.tgz',
    ]);
    for (const tarball of tarballs) {
      const { stdout } = await exec('tar', ['tzf', tarball]);
      const entries = stdout.split('\n');
      assert.ok(entries.includes('package/README.md'), tarball);
      assert.ok(entries.includes('package/LICENSE'), tarball);
      assert.ok(entries.includes('package/dist/index.js'), tarball);
      assert.equal(entries.filter((entry) => /\.test\.|\/testing\/|tsbuildinfo/.test(entry)).length, 0, tarball);
    }
  });

  it('install with npm install -g into an empty prefix, apart from this checkout, and run the demo', async () => {
    const installed = path.join(prefix, 'lib/node_modules/@baleen/client');
    assert.ok((await realpath(installed)).startsWith(work), 'a copy, not a link into the checkout');
    const baleen = path.join(prefix, 'bin/baleen');
    const version = await runNodeBin(baleen, ['--version'], { cwd: work });
    assert.equal(version.stdout.trim(), '0.1.0');

    // scripts/demo.sh's run, with the installed bin.
    const demo = await runNodeBin(baleen, ['cucumber', '--image', IMAGE, '--files', 'features', '--concurrency', '6'], {
      cwd: FIXTURES,
    });
    assert.equal(demo.code, 0, demo.stdout + demo.stderr);
    assert.match(demo.stdout, /\d+ files \(\d+ passed\)/);
  });

  it('baleen-server runs from the install and serves the installed client', async () => {
    const stateDir = path.join(work, 'server-state');
    const server = startNode(path.join(prefix, 'bin/baleen-server'), [
      '--port',
      '0',
      '--state-dir',
      stateDir,
      '--no-reaper',
      '--log-level',
      'warn',
    ]);
    try {
      const url = await server.waitForOutput(/listening on (ws:\/\/\S+)/);
      const run = await runNodeBin(
        path.join(prefix, 'bin/baleen'),
        ['cucumber', '--image', IMAGE, '--files', 'features/cart.feature', '--server', url],
        { cwd: FIXTURES },
      );
      assert.equal(run.code, 0, run.stdout + run.stderr);
      assert.match(run.stdout, /1 file \(1 passed\)/);
    } finally {
      server.child.kill('SIGINT');
      await server.done;
    }
  });

  it('npx runs baleen from the tarballs alone', async () => {
    const empty = path.join(work, 'empty');
    await mkdir(empty);
    const { stdout } = await exec(
      'npx',
      ['--yes', ...tarballs.flatMap((tarball) => ['--package', tarball]), '--', 'baleen', '--version'],
      { cwd: empty, env: npmEnv, timeout: 10 * 60_000 },
    );
    assert.equal(stdout.trim().split('\n').at(-1), '0.1.0');
  });
});
