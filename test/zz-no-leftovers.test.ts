import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { containersWithLabels } from './support/docker.js';

// What this run of the suite made carries its session label (scripts/run-tests.mjs); a live server's containers on
// the same engine are none of the suite's business.
const session = process.env['BALEEN_SESSION'];

describe('after the whole suite', () => {
  it('leaves no container Baleen created on the engine', async () => {
    assert.ok(session !== undefined && session !== '', 'run through scripts/run-tests.mjs, which sets BALEEN_SESSION');
    assert.deepEqual(await containersWithLabels([`baleen.session=${session}`]), []);
  });
});
