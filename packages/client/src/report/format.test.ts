import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { shownExitCode } from './format.js';

describe('shownExitCode', () => {
  it("shows a file's own container's exit code, and none when it has none", () => {
    assert.equal(shownExitCode({ exitCode: 1, status: 'failed' }), '1');
    assert.equal(shownExitCode({ exitCode: 0, status: 'passed' }), '0');
    assert.equal(shownExitCode({ exitCode: null, status: 'timed-out' }), undefined);
  });

  it("never pins a pack's exit code on a file of it that passed; marks it as the pack's on one that did not", () => {
    // A pack of 3 files exits 1 because one of them failed: the other two passed.
    assert.equal(shownExitCode({ exitCode: 1, status: 'passed', pack: { files: 3 } }), undefined);
    assert.equal(shownExitCode({ exitCode: 1, status: 'failed', pack: { files: 3 } }), '1 (pack)');
  });
});
