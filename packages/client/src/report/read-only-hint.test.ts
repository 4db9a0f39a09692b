import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FileFinishedMessage } from '@baleen/protocol';
import { fileFinished } from '../testing/file-finished.js';
import { readOnlyWorkspaceHint } from './read-only-hint.js';

const result = (status: FileFinishedMessage['status'], stderr: string): FileFinishedMessage =>
  fileFinished(0, { file: 'features/report.feature', status, exitCode: 1, stderr });

describe('readOnlyWorkspaceHint', () => {
  const erofs = "Error: EROFS: read-only file system, open '/proj/reports/cucumber.json'";

  it('points a suite that failed writing into a read-only mounted project to --sync', () => {
    assert.match(
      readOnlyWorkspaceHint(true, [result('failed', erofs)]) ?? '',
      /features\/report\.feature tried to write into the project.*use --sync/,
    );
  });

  it('says nothing without --mount-workspace, for a file that passed, or for other failures', () => {
    assert.equal(readOnlyWorkspaceHint(false, [result('failed', erofs)]), undefined);
    assert.equal(readOnlyWorkspaceHint(true, [result('passed', erofs)]), undefined);
    assert.equal(readOnlyWorkspaceHint(true, [result('failed', 'AssertionError: 4 !== 5'), undefined]), undefined);
  });
});
