import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { containersWithLabels } from './support/docker.js';

describe('after the whole suite', () => {
  it('leaves no container Baleen created on the engine', async () => {
    assert.deepEqual(await containersWithLabels(['baleen.managed=true']), []);
  });
});
