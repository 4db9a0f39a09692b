import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { commandForFile, withBeforeCommand } from './container-command.js';

const odd = `edge/odd names/spaces; $(touch pwned) 'quotes' & more.feature`;

describe('commandForFile', () => {
  it('appends the file as one argv element when there is no placeholder', () => {
    assert.deepEqual(commandForFile(['cucumber-js', '--tags', '@x'], odd), ['cucumber-js', '--tags', '@x', odd]);
  });

  it('replaces {file} anywhere in an argument', () => {
    assert.deepEqual(commandForFile(['node', '--test', '--name={file}', '{file}'], 'a.js'), [
      'node',
      '--test',
      '--name=a.js',
      'a.js',
    ]);
  });

  it('does not substitute a placeholder that appears inside the file name', () => {
    assert.deepEqual(commandForFile(['run', '{file}'], 'x{file}y'), ['run', 'x{file}y']);
  });
});

describe('withBeforeCommand', () => {
  it('leaves the argv alone without a before-command', () => {
    assert.deepEqual(withBeforeCommand(['a', odd], undefined), { argv: ['a', odd], env: {} });
  });

  it('passes the script by environment and the argv as "$@", never pasting either into the script', () => {
    const { argv, env } = withBeforeCommand(['cucumber-js', odd], 'npm run seed');
    assert.equal(argv[0], 'sh');
    assert.equal(argv[1], '-c');
    assert.ok(!argv[2]?.includes('npm run seed'));
    assert.ok(!argv[2]?.includes(odd));
    assert.deepEqual(argv.slice(4), ['cucumber-js', odd]);
    assert.deepEqual(env, { BALEEN_BEFORE_COMMAND: 'npm run seed' });
  });
});
