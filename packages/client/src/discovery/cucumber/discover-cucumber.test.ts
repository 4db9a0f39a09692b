import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { discoverCucumber, featureDirectories } from './discover-cucumber.js';

// Real projects on disk, read by the real cucumber-js 12 (loadConfiguration in a worker, loadSources).

const FEATURES: Record<string, string> = {
  'features/cart.feature': `Feature: Cart
  @smoke
  Scenario: adds
    Given a step

  @wip
  Scenario: half done
    Given a step

  Scenario Outline: rows <n>
    Given a step <n>
    Examples:
      | n |
      | 1 |
      | 2 |
`,
  'features/wip.feature': `@wip
Feature: Only work in progress
  Scenario: not yet
    Given a step
`,
  'other/extra.feature': `Feature: Elsewhere
  Scenario: far away
    Given a step
`,
  'features/notes.feature.md': `# Feature: Notes in Markdown

## Scenario: written in Markdown

* Given a step
`,
};

let root: string;
let counter = 0;

async function project(files: Record<string, string>): Promise<string> {
  const dir = path.join(root, `p${String(counter++)}`);
  for (const [file, text] of Object.entries({ ...FEATURES, ...files })) {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await writeFile(path.join(dir, file), text);
  }
  return dir;
}

const scenarios = (found: Awaited<ReturnType<typeof discoverCucumber>>, file: string) =>
  found.features.find((feature) => feature.file === file)?.scenarios?.map((s) => s.line);

before(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'baleen-discovery-'));
});
after(() => rm(root, { recursive: true, force: true }));

describe('discoverCucumber (real cucumber-js configuration and sources)', () => {
  it('uses cucumber’s default paths, Markdown features included, when nothing names any', async () => {
    const cwd = await project({});
    const found = await discoverCucumber({ cwd, files: [], args: [] });
    assert.equal(found.source, 'cucumber');
    assert.deepEqual(
      found.features.map((feature) => feature.file),
      ['features/cart.feature', 'features/notes.feature.md', 'features/wip.feature'],
    );
    assert.deepEqual(scenarios(found, 'features/cart.feature'), [3, 7, 14, 15]);
    assert.deepEqual(scenarios(found, 'features/notes.feature.md'), [3]);
  });

  it('expands a directory as cucumber-js does (*.feature only) and names the Markdown features it leaves out', async () => {
    const cwd = await project({});
    const found = await discoverCucumber({ cwd, files: ['features'], args: [] });
    assert.ok(!found.features.some((feature) => feature.file.endsWith('.md')));
    assert.deepEqual(found.markdownLeftOut, ['features/notes.feature.md']);
  });

  it('applies a YAML profile’s paths and tags and the tags after --, and lists files with no match as empty', async () => {
    const cwd = await project({
      'cucumber.yaml': 'default:\n  paths: [features, other]\n  tags: not @wip\nci:\n  tags: "@smoke"\n',
    });
    const found = await discoverCucumber({ cwd, files: [], args: [] });
    assert.equal(found.filters.tagExpression, 'not @wip');
    assert.deepEqual(scenarios(found, 'features/cart.feature'), [3, 14, 15]);
    assert.deepEqual(scenarios(found, 'features/wip.feature'), []);
    assert.deepEqual(scenarios(found, 'other/extra.feature'), [2]);
    const ci = await discoverCucumber({ cwd, files: [], args: ['--profile', 'ci', '--tags', 'not @nothing'] });
    assert.deepEqual(scenarios(ci, 'features/cart.feature'), [3]);
    assert.deepEqual(ci.args, ['--profile', 'ci', '--tags', 'not @nothing'], 'the containers get the same arguments');
  });

  it('reads a cucumber-js 7 profile string that cucumber-js 12 rejects, tolerantly', async () => {
    const cwd = await project({
      'cucumber.js': 'module.exports = { default: \'--publish-quiet --tags "not @wip" other --require-module x\' };\n',
    });
    const found = await discoverCucumber({ cwd, files: [], args: [] });
    assert.equal(found.source, 'tolerant');
    assert.match(found.note ?? '', /publish-quiet/);
    assert.deepEqual(found.filters.paths, ['other']);
    assert.deepEqual(
      found.features.map((feature) => feature.file),
      ['other/extra.feature'],
    );
  });

  it("says of a cucumber-js 7 project's config only that Baleen read it itself, without the resolver's error", async () => {
    const cwd = await project({
      'cucumber.js': "module.exports = { default: '--publish-quiet other' };\n",
      'node_modules/@cucumber/cucumber/package.json': '{ "name": "@cucumber/cucumber", "version": "7.3.2" }\n',
    });
    const found = await discoverCucumber({ cwd, files: [], args: ['--publish-quiet'] });
    assert.equal(found.source, 'tolerant');
    assert.equal(
      found.note,
      "the project's cucumber-js 7.3.2 has no loadConfiguration: Baleen read the paths, tags and names of cucumber.js itself",
    );
    assert.equal(found.printed, '', 'what the newer cucumber-js printed about --publish-quiet is not repeated');
    assert.deepEqual(found.filters.paths, ['other']);
  });

  it('says so, and enforces no scenario list, when the config cannot be loaded here at all', async () => {
    const cwd = await project({ 'cucumber.js': "require('only-in-the-image');\nmodule.exports = { default: {} };\n" });
    const found = await discoverCucumber({ cwd, files: ['features/cart.feature'], args: ['--tags', '@smoke'] });
    assert.equal(found.source, 'arguments');
    assert.match(found.note ?? '', /only-in-the-image/);
    assert.equal(found.features[0]?.scenarios, undefined, 'the container decides');
  });

  it('survives a config that exits the process', async () => {
    const cwd = await project({ 'cucumber.js': 'process.exit(3);\n' });
    const found = await discoverCucumber({ cwd, files: ['features/cart.feature'], args: [] });
    assert.notEqual(found.source, 'cucumber');
  });

  it('runs exactly the lines named with FILE:LINE, and says the container must be given them', async () => {
    const cwd = await project({});
    const found = await discoverCucumber({ cwd, files: ['features/cart.feature:7:15'], args: [] });
    assert.deepEqual(scenarios(found, 'features/cart.feature'), [7, 15]);
    assert.equal(found.features[0]?.byLine, true);
  });

  it('names the overrides it makes, publish among them when the profile publishes', async () => {
    const cwd = await project({ 'cucumber.json': JSON.stringify({ default: { publish: true } }) });
    const found = await discoverCucumber({ cwd, files: [], args: [] });
    assert.ok(found.overrides.some((override) => override.startsWith('publish: off')));
  });

  it('takes cucumber’s fail-fast, from the config or after --, as the whole run’s, and says so', async () => {
    const cwd = await project({ 'cucumber.json': JSON.stringify({ default: {}, ff: { failFast: true } }) });
    const none = await discoverCucumber({ cwd, files: [], args: [] });
    assert.equal(none.filters.failFast, false);
    assert.ok(!none.overrides.some((override) => override.startsWith('fail-fast')));
    const fromProfile = await discoverCucumber({ cwd, files: [], args: ['--profile', 'ff'] });
    assert.equal(fromProfile.filters.failFast, true);
    assert.ok(fromProfile.overrides.some((override) => override.startsWith('fail-fast: the first failed file')));
    const fromArgs = await discoverCucumber({ cwd, files: [], args: ['--fail-fast'] });
    assert.equal(fromArgs.filters.failFast, true);
    // A cucumber-js 7 argv profile, read tolerantly.
    const old = await project({ 'cucumber.js': "module.exports = { default: '--publish-quiet --fail-fast' };\n" });
    const tolerant = await discoverCucumber({ cwd: old, files: [], args: [] });
    assert.equal(tolerant.source, 'tolerant');
    assert.equal(tolerant.filters.failFast, true);
  });
});

describe('featureDirectories', () => {
  it('gives each file’s nearest features folder, else its own folder, as cucumber-js derives support paths', () => {
    assert.deepEqual(
      featureDirectories(['features/a/b.feature', 'features/c.feature', 'x/features/y/z.feature', 'edge/e.feature']),
      ['edge', 'features', 'x/features'],
    );
  });
});
