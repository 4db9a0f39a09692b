import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseArgsStringToArgv } from 'string-argv';
import { andTags, filtersFromProfile, mergeFilters, parseCucumberArgv } from './cucumber-argv.js';

describe('parseCucumberArgv (tolerant, cucumber-js 7 to 12)', () => {
  it('tells paths from option values, keeps the arguments without the paths, and takes unknown options for flags', () => {
    const parsed = parseCucumberArgv([
      '--publish-quiet',
      '-p',
      'ci',
      'features/a.feature:3',
      '--tags',
      '@smoke',
      '--format',
      'json:out.json',
      '--name=^Pays',
      '--retry',
      '1',
      'features/b.feature',
    ]);
    assert.deepEqual(parsed.paths, ['features/a.feature:3', 'features/b.feature']);
    assert.deepEqual(parsed.profiles, ['ci']);
    assert.deepEqual(parsed.tags, ['@smoke']);
    assert.deepEqual(parsed.names, ['^Pays']);
    assert.deepEqual(parsed.withoutPaths, [
      '--publish-quiet',
      '-p',
      'ci',
      '--tags',
      '@smoke',
      '--format',
      'json:out.json',
      '--name=^Pays',
      '--retry',
      '1',
    ]);
  });

  it('notes --fail-fast, in an argv or an object profile', () => {
    assert.equal(parseCucumberArgv(['--fail-fast', 'features']).failFast, true);
    assert.equal(parseCucumberArgv(['features']).failFast, false);
    assert.equal(filtersFromProfile({ failFast: true }, parseArgsStringToArgv).failFast, true);
    assert.equal(filtersFromProfile('--fail-fast --tags @a', parseArgsStringToArgv).failFast, true);
  });

  it('treats everything after -- as paths', () => {
    assert.deepEqual(parseCucumberArgv(['--', '--odd-name.feature']).paths, ['--odd-name.feature']);
  });
});

describe('profile filters', () => {
  it('reads object, string and array profiles, and merges them as cucumber-js merges configurations', () => {
    const fromString = filtersFromProfile("features --tags 'not @wip' --publish", parseArgsStringToArgv);
    const fromObject = filtersFromProfile({ paths: ['more'], tags: '@fast', name: ['x'] }, parseArgsStringToArgv);
    const fromArray = filtersFromProfile(['--tags', '@a'], parseArgsStringToArgv);
    const merged = mergeFilters(mergeFilters(fromString, fromObject), fromArray);
    assert.deepEqual(merged.paths, ['features', 'more']);
    assert.equal(merged.tagExpression, '(not @wip) and (@fast) and (@a)');
    assert.deepEqual(merged.names, ['x']);
    assert.equal(merged.publish, true);
  });

  it('joins tag expressions as cucumber-js does', () => {
    assert.equal(andTags(['', ' @a ']), '@a');
    assert.equal(andTags(['(@a or @b)', 'not @c']), '(@a or @b) and (not @c)');
  });
});
