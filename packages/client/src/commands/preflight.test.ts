import assert from 'node:assert/strict';
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { isBaleenError } from '@baleen/protocol';
import { checkReportTargets, checkRequest } from './preflight.js';

const request = {
  image: 'img:1',
  files: ['a.feature'],
  command: ['x'],
  timeoutSeconds: 60,
  concurrency: 4,
  env: {},
};

describe('preflight', () => {
  it('names the flag and its value when a request is out of the protocol’s bounds', () => {
    assert.throws(
      () =>
        checkRequest({ ...request, concurrency: 100_000 }, (flag) => (flag === '--concurrency' ? '100000' : undefined)),
      (error: unknown) => isBaleenError(error) && /^--concurrency 100000: .*1024/.test(error.message),
    );
    assert.doesNotThrow(() => checkRequest(request, () => undefined));
  });

  it('finds a report path that cannot be written before anything runs, and leaves no file behind', async () => {
    await assert.rejects(
      checkReportTargets({ junit: '/proc/nope.xml' }, '/'),
      (error: unknown) => isBaleenError(error) && /^--junit \/proc\/nope\.xml: cannot write there/.test(error.message),
    );
    const dir = await mkdtemp(path.join(tmpdir(), 'baleen-preflight-'));
    await checkReportTargets({ json: 'deep/r.json', html: 'r.html' }, dir);
    assert.deepEqual(await readdir(dir), ['deep'], 'the folder a report needs is made; no report file yet');
  });
});
