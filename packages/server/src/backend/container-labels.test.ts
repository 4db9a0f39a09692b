import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LABELS, runLabels, unkeptServerIds } from './container-labels.js';

describe('container labels', () => {
  it('mark what a --keep run creates, and only that', () => {
    assert.equal(runLabels('srv-a', 'run-1', true)[LABELS.kept], 'true');
    assert.equal(runLabels('srv-a', 'run-1')[LABELS.kept], undefined);
  });

  it('give each server id once, leaving out kept things and unlabelled ones', () => {
    assert.deepEqual(
      unkeptServerIds([
        runLabels('srv-a', 'run-1'),
        runLabels('srv-a', 'run-2'),
        runLabels('srv-b', 'run-3', true),
        runLabels('srv-c', 'run-4'),
        null,
        undefined,
        {},
      ]),
      ['srv-a', 'srv-c'],
    );
  });
});
