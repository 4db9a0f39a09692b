import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeClientMessage, decodeServerMessage, encodeMessage } from './codec.js';
import type { RunMessage } from './client-messages.js';
import { PROTOCOL_VERSION } from './version.js';

const run: RunMessage = {
  type: 'run',
  runRef: 'r1',
  image: 'baleen-fixtures:latest',
  files: ['features/a.feature', `edge/odd names/spaces; $(touch pwned) 'quotes' & more.feature`],
  command: ['node_modules/.bin/cucumber-js'],
  timeoutSeconds: 600,
  concurrency: 4,
  env: { GREETING: 'hi' },
};

describe('decodeClientMessage', () => {
  it('round-trips every client message', () => {
    for (const message of [
      { type: 'hello', protocolVersion: PROTOCOL_VERSION, client: { name: 'baleen', version: '0.1.0' } },
      run,
      { type: 'cancel', runId: 'run-1' },
    ] as const) {
      const decoded = decodeClientMessage(encodeMessage(message));
      assert.deepEqual(decoded, { ok: true, message });
    }
  });

  it('accepts Buffers and fragmented frames as ws delivers them', () => {
    const text = encodeMessage(run);
    const decoded = decodeClientMessage([Buffer.from(text.slice(0, 10)), Buffer.from(text.slice(10))]);
    assert.equal(decoded.ok, true);
  });

  it('answers non-JSON with BAD_FRAME', () => {
    const decoded = decodeClientMessage('{not json');
    assert.equal(decoded.ok, false);
    assert.equal(!decoded.ok && decoded.code, 'BAD_FRAME');
  });

  it('answers a schema failure with INVALID_MESSAGE naming the field', () => {
    const cases: [unknown, RegExp][] = [
      [{ type: 'launch-missiles' }, /type/],
      [{ ...run, files: [] }, /files/],
      [{ ...run, concurrency: 0 }, /concurrency/],
      [{ ...run, timeoutSeconds: -1 }, /timeoutSeconds/],
      [{ ...run, env: { 'BAD NAME': 'x' } }, /env/],
      [{ ...run, image: 'img; rm -rf /' }, /image/],
      [{ type: 'hello', protocolVersion: '1', client: { name: 'x', version: '1' } }, /protocolVersion/],
      [null, /message/],
      [[1, 2], /message/],
    ];
    for (const [value, field] of cases) {
      const decoded = decodeClientMessage(JSON.stringify(value));
      assert.equal(decoded.ok, false, JSON.stringify(value));
      if (!decoded.ok) {
        assert.equal(decoded.code, 'INVALID_MESSAGE');
        assert.match(decoded.reason, field);
      }
    }
  });
});

describe('decodeServerMessage', () => {
  it('skips a message type it does not know (a newer server’s), but refuses a known one with a wrong value', () => {
    assert.deepEqual(decodeServerMessage(JSON.stringify({ type: 'run-forecast', runId: 'r' })), {
      ok: 'skip',
      type: 'run-forecast',
    });
    const strict = decodeClientMessage(JSON.stringify({ type: 'run-forecast' }));
    assert.equal(strict.ok, false, 'a server refuses what it does not know');
  });

  it('accepts a file-finished result and rejects an unknown status', () => {
    const finished = {
      type: 'file-finished',
      runId: 'run-1',
      fileIndex: 0,
      file: 'a.feature',
      attempt: 1,
      status: 'timed-out',
      exitCode: null,
      durationMs: 1200,
      containerId: 'abc',
      stdout: '',
      stderr: '',
      stdoutTruncated: false,
      stderrTruncated: false,
      error: { code: 'TIMED_OUT', message: 'timed out after 1 s' },
    };
    assert.equal(decodeServerMessage(JSON.stringify(finished)).ok, true);
    assert.equal(decodeServerMessage(JSON.stringify({ ...finished, status: 'maybe' })).ok, false);
  });
});
