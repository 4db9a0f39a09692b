import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BaleenError } from '@baleen/protocol';
import { CONFIG_FILE_NAMES, loadProjectConfig } from './project-config.js';

let root: string;
let count = 0;

/** A fresh directory holding the given files. */
async function project(files: Record<string, string> = {}): Promise<string> {
  count += 1;
  const dir = path.join(root, `p${count}`);
  await mkdir(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), text);
  }
  return dir;
}

const json = (value: unknown): string => JSON.stringify(value, null, 2);

/** Asserts `promise` rejects with a BaleenError CONFIG_INVALID whose message matches every pattern. */
async function assertConfigInvalid(promise: Promise<unknown>, ...patterns: RegExp[]): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof BaleenError, `expected a BaleenError, got ${String(error)}`);
    assert.equal(error.code, 'CONFIG_INVALID');
    for (const pattern of patterns) assert.match(error.message, pattern);
    return true;
  });
}

describe('loadProjectConfig', () => {
  before(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'baleen-config-'));
  });
  after(() => rm(root, { recursive: true, force: true }));

  it('gives empty settings and no file when there is no config file and no project', async () => {
    const cwd = await project({ 'package.json': '{}', 'baleen.json': json({ image: 'not-a-config-name' }) });
    assert.deepEqual(await loadProjectConfig({ cwd }), { file: undefined, settings: {} });
  });

  it('finds baleen.config.json in cwd', async () => {
    const cwd = await project({ 'baleen.config.json': json({ image: 'node:22', concurrency: 4, failFast: true }) });
    assert.deepEqual(await loadProjectConfig({ cwd }), {
      file: path.join(cwd, 'baleen.config.json'),
      settings: { image: 'node:22', concurrency: 4, failFast: true },
    });
  });

  it('reads baleen.config.yaml', async () => {
    const cwd = await project({
      'baleen.config.yaml': [
        'image: node:22',
        'files:',
        '  - features',
        'memory: 512m',
        'pidsLimit: 100',
        'pull: never',
        'order: random',
        'seed: 7',
      ].join('\n'),
    });
    const loaded = await loadProjectConfig({ cwd });
    assert.equal(loaded.file, path.join(cwd, 'baleen.config.yaml'));
    assert.deepEqual(loaded.settings, {
      image: 'node:22',
      files: ['features'],
      memory: '512m',
      pidsLimit: 100,
      pull: 'never',
      order: 'random',
      seed: 7,
    });
  });

  it('reads baleen.config.yml', async () => {
    const cwd = await project({ 'baleen.config.yml': 'image: alpine:3\n' });
    const loaded = await loadProjectConfig({ cwd });
    assert.equal(loaded.file, path.join(cwd, 'baleen.config.yml'));
    assert.deepEqual(loaded.settings, { image: 'alpine:3' });
  });

  it('reads the default export of baleen.config.mjs', async () => {
    const cwd = await project({
      'baleen.config.mjs': `export default { image: 'node:' + (20 + 2), command: ['node', '--test', '{file}'] };\n`,
    });
    const loaded = await loadProjectConfig({ cwd });
    assert.equal(loaded.file, path.join(cwd, 'baleen.config.mjs'));
    assert.deepEqual(loaded.settings, { image: 'node:22', command: ['node', '--test', '{file}'] });
  });

  it('refuses a .mjs config without a default export', async () => {
    const cwd = await project({ 'baleen.config.mjs': `export const image = 'node:22';\n` });
    await assertConfigInvalid(loadProjectConfig({ cwd }), /baleen\.config\.mjs: export the settings as default/);
  });

  it('refuses to choose silently between two config files, naming both', async () => {
    assert.equal(CONFIG_FILE_NAMES[0], 'baleen.config.json');
    const cwd = await project({
      'baleen.config.json': json({ image: 'from-json' }),
      'baleen.config.yaml': 'image: from-yaml\n',
    });
    await assertConfigInvalid(
      loadProjectConfig({ cwd }),
      /baleen\.config\.json and baleen\.config\.yaml are both here: keep one, or choose with --config FILE/,
    );
    assert.deepEqual((await loadProjectConfig({ cwd, file: 'baleen.config.yaml' })).settings, { image: 'from-yaml' });
  });

  it('says where a JSON file is broken by line and column, and what a module config fails on', async () => {
    const cwd = await project({ 'baleen.config.json': '{\n  "image": "x",\n  "retries": ,\n}\n' });
    await assertConfigInvalid(loadProjectConfig({ cwd }), /^baleen\.config\.json:3:\d+: not valid JSON/);
    const module = await project({ 'baleen.config.mjs': 'export default { image: "x" ;\n' });
    await assertConfigInvalid(
      loadProjectConfig({ cwd: module }),
      /^baleen\.config\.mjs: could not load it: SyntaxError/,
    );
  });

  it('takes one string for a list setting', async () => {
    const cwd = await project({ 'baleen.config.json': json({ files: 'features' }) });
    assert.deepEqual((await loadProjectConfig({ cwd })).settings, { files: ['features'] });
  });

  it('reads an explicit --config path, relative to cwd, instead of looking in cwd', async () => {
    const cwd = await project({
      'baleen.config.json': json({ image: 'default-file' }),
      'ci/baleen.ci.yaml': 'image: ci-file\nretries: 2\n',
    });
    const loaded = await loadProjectConfig({ cwd, file: 'ci/baleen.ci.yaml' });
    assert.equal(loaded.file, path.join(cwd, 'ci', 'baleen.ci.yaml'));
    assert.deepEqual(loaded.settings, { image: 'ci-file', retries: 2 });
  });

  it('reads an explicit absolute --config path', async () => {
    const elsewhere = await project({ 'shared.json': json({ image: 'shared' }) });
    const cwd = await project();
    const loaded = await loadProjectConfig({ cwd, file: path.join(elsewhere, 'shared.json') });
    assert.deepEqual(loaded.settings, { image: 'shared' });
  });

  it('refuses a --config file that does not exist', async () => {
    const cwd = await project();
    await assertConfigInvalid(loadProjectConfig({ cwd, file: 'nope.json' }), /^--config nope\.json: no such file$/);
  });

  it('lays the chosen project over the top-level settings', async () => {
    const cwd = await project({
      'baleen.config.json': json({
        image: 'node:22',
        concurrency: 4,
        env: ['SHARED=1'],
        projects: {
          api: { image: 'api-runner:1', timeout: 30, env: ['API=1'] },
          web: { concurrency: 8 },
        },
      }),
    });
    assert.deepEqual((await loadProjectConfig({ cwd, project: 'api' })).settings, {
      image: 'api-runner:1',
      concurrency: 4,
      timeout: 30,
      env: ['API=1'],
    });
    assert.deepEqual((await loadProjectConfig({ cwd, project: 'web' })).settings, {
      image: 'node:22',
      concurrency: 8,
      env: ['SHARED=1'],
    });
  });

  it('gives only the top-level settings, without projects, when no project is chosen', async () => {
    const cwd = await project({
      'baleen.config.json': json({ image: 'node:22', projects: { api: { image: 'api-runner:1' } } }),
    });
    assert.deepEqual((await loadProjectConfig({ cwd })).settings, { image: 'node:22' });
  });

  it('turns env written as a map into K=V strings, top-level and in projects', async () => {
    const cwd = await project({
      'baleen.config.json': json({
        env: { CI: 'true', RETRIES: 3, VERBOSE: false, URL: 'http://x/?a=b' },
        projects: { api: { env: { API_KEY: 'k' } } },
      }),
    });
    assert.deepEqual((await loadProjectConfig({ cwd })).settings.env, [
      'CI=true',
      'RETRIES=3',
      'VERBOSE=false',
      'URL=http://x/?a=b',
    ]);
    assert.deepEqual((await loadProjectConfig({ cwd, project: 'api' })).settings.env, ['API_KEY=k']);
  });

  it('keeps env written as a list', async () => {
    const cwd = await project({ 'baleen.config.yaml': 'env:\n  - A=1\n  - B\n' });
    assert.deepEqual((await loadProjectConfig({ cwd })).settings.env, ['A=1', 'B']);
  });

  it('turns numbers into the strings the flags take for memory, user, gpus and publish', async () => {
    const cwd = await project({
      'baleen.config.json': json({
        memory: 1073741824,
        user: 1000,
        gpus: 2,
        shmSize: 65536,
        publish: [8080, '53/udp'],
      }),
    });
    assert.deepEqual((await loadProjectConfig({ cwd })).settings, {
      memory: '1073741824',
      user: '1000',
      gpus: '2',
      shmSize: '65536',
      publish: ['8080', '53/udp'],
    });
  });

  it('refuses an unknown top-level key, naming the key and the file', async () => {
    const cwd = await project({ 'baleen.config.json': json({ image: 'node:22', concurency: 4 }) });
    await assertConfigInvalid(
      loadProjectConfig({ cwd }),
      /^baleen\.config\.json: unknown key 'concurency'/,
      /camelCase flag names/,
    );
  });

  it('refuses an unknown key in a project, naming the key, its path and the file', async () => {
    const cwd = await project({
      'baleen.config.json': json({ projects: { api: { image: 'x', workdir: '/app' } } }),
    });
    await assertConfigInvalid(
      loadProjectConfig({ cwd, project: 'api' }),
      /baleen\.config\.json: unknown key 'workdir' \(did you mean 'workDir'\?\) at projects\.api\b/,
    );
    // The whole file is checked, whichever project is chosen.
    await assertConfigInvalid(loadProjectConfig({ cwd }), /unknown key 'workdir' .* at projects\.api\b/);
  });

  it('names every unknown key', async () => {
    const cwd = await project({ 'baleen.config.yaml': 'imag: x\ntimout: 3\n' });
    await assertConfigInvalid(
      loadProjectConfig({ cwd }),
      /baleen\.config\.yaml: unknown keys 'imag' \(did you mean 'image'\?\), 'timout' \(did you mean 'timeout'\?\)/,
    );
  });

  it('names the file relative to cwd for an explicit --config', async () => {
    const cwd = await project({ 'config/ci.json': json({ bogus: true }) });
    await assertConfigInvalid(
      loadProjectConfig({ cwd, file: 'config/ci.json' }),
      new RegExp(`^${path.join('config', 'ci.json').replace(/\./g, '\\.')}: unknown key 'bogus'`),
    );
  });

  it('refuses a value of the wrong type, naming the setting and the file', async () => {
    const cwd = await project({ 'baleen.config.json': json({ concurrency: '4' }) });
    await assertConfigInvalid(loadProjectConfig({ cwd }), /^baleen\.config\.json: .* at concurrency$/);
    const bad = await project({ 'baleen.config.json': json({ projects: { api: { pull: 'sometimes' } } }) });
    await assertConfigInvalid(loadProjectConfig({ cwd: bad }), /baleen\.config\.json: .* at projects\.api\.pull$/);
  });

  it('refuses a config that is not an object', async () => {
    const cwd = await project({ 'baleen.config.json': json(['image', 'node:22']) });
    await assertConfigInvalid(loadProjectConfig({ cwd }), /^baleen\.config\.json: /);
  });

  it('refuses an unknown project, listing the known ones', async () => {
    const cwd = await project({
      'baleen.config.json': json({ projects: { api: { image: 'a' }, web: { image: 'w' } } }),
    });
    await assertConfigInvalid(
      loadProjectConfig({ cwd, project: 'mobile' }),
      /^baleen\.config\.json: no project 'mobile' \(projects: api, web\)$/,
    );
  });

  it('refuses a project when the file has no projects, saying there are none', async () => {
    const cwd = await project({ 'baleen.config.json': json({ image: 'node:22' }) });
    await assertConfigInvalid(loadProjectConfig({ cwd, project: 'api' }), /no project 'api' \(projects: none\)/);
  });

  it('refuses --project when there is no config file, saying which names it looked for', async () => {
    const cwd = await project();
    await assertConfigInvalid(
      loadProjectConfig({ cwd, project: 'api' }),
      /^--project api: no config file here/,
      new RegExp(CONFIG_FILE_NAMES.map((name) => name.replace(/\./g, '\\.')).join(', ')),
    );
  });

  it('refuses invalid JSON, naming the file', async () => {
    const cwd = await project({ 'baleen.config.json': '{ "image": "node:22", }' });
    await assertConfigInvalid(loadProjectConfig({ cwd }), /^baleen\.config\.json:1:23: not valid JSON: /);
  });

  it('refuses invalid YAML, naming the file', async () => {
    const cwd = await project({ 'baleen.config.yaml': 'image: [unclosed\n' });
    await assertConfigInvalid(loadProjectConfig({ cwd }), /^baleen\.config\.yaml: not valid YAML: /);
  });
});
