import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startServer, silentLogger, type RunningServer } from '@baleen/server';
// The server's fake backend: this file tests the client's side of the protocol, never Docker's behaviour.
import { FakeBackend, type FakeBehaviour } from '../../../server/src/testing/fake-backend.js';
import { EXIT } from '../exit-codes.js';
import { exitCodeFor } from './exit-code.js';
import type { RunEvent } from './run-on-server.js';
import { runTests } from './run-tests.js';

const request = {
  image: 'runner:latest',
  command: ['node', '--test', '{file}'],
  timeoutSeconds: 30,
  concurrency: 2,
  env: {},
  order: 'given' as const,
};

describe('runTests against a real server on the fake backend (no Docker)', () => {
  // Per file: how each attempt behaves. `flaky.test.js` fails once, then passes.
  const attempts = new Map<string, number>();
  const behaviours: Record<string, (attempt: number) => FakeBehaviour> = {
    'pass.test.js': () => ({ durationMs: 20 }),
    'fail.test.js': () => ({ durationMs: 20, exitCode: 1, stdout: 'not ok 1 - adds\n' }),
    'flaky.test.js': (attempt) => ({ durationMs: 20, exitCode: attempt === 1 ? 1 : 0 }),
    'slow.test.js': () => ({ durationMs: 60_000 }),
  };
  const backend = new FakeBackend((file) => {
    const attempt = (attempts.get(file) ?? 0) + 1;
    attempts.set(file, attempt);
    return (behaviours[file] ?? (() => ({ durationMs: 10 })))(attempt);
  });
  let server: RunningServer;
  before(async () => {
    server = await startServer({
      host: '127.0.0.1',
      port: 0,
      capacity: 4,
      log: silentLogger(),
      backend,
      dashboard: false,
    });
  });
  after(() => server.close());

  it('gives each file its result by index, with its output, after the run is accepted and the file started', async () => {
    const events: RunEvent['type'][] = [];
    const result = await runTests({
      ...request,
      server: server.url,
      files: ['pass.test.js', 'fail.test.js'],
      onEvent: (event) => events.push(event.type),
    });
    assert.deepEqual(
      result.files.map((file) => [file?.file, file?.status]),
      [
        ['pass.test.js', 'passed'],
        ['fail.test.js', 'failed'],
      ],
    );
    assert.match(result.files[1]?.stdout ?? '', /not ok 1 - adds/);
    assert.ok(events.indexOf('run-accepted') < events.indexOf('file-started'), events.join(','));
    assert.ok(events.lastIndexOf('file-started') < events.lastIndexOf('file-finished'), events.join(','));
    assert.equal(exitCodeFor(result, false), EXIT.failed);
  });

  it('keeps every attempt of a retried file: flaky passes the run unless --fail-on-flaky', async () => {
    const result = await runTests({ ...request, server: server.url, files: ['flaky.test.js'], retries: 1 });
    assert.deepEqual(
      result.attempts[0]?.map((attempt) => [attempt.attempt, attempt.status]),
      [
        [1, 'failed'],
        [2, 'passed'],
      ],
    );
    assert.equal(result.finished.totals.flaky, 1);
    assert.equal(exitCodeFor(result, false), EXIT.passed);
    assert.equal(exitCodeFor(result, false, { failOnFlaky: true }), EXIT.failed);
  });

  it('an aborted signal cancels the run: the server stops its containers before the result comes back', async () => {
    const cancel = new AbortController();
    const result = await runTests({
      ...request,
      server: server.url,
      files: ['slow.test.js', 'pass.test.js'],
      signal: cancel.signal,
      onEvent: (event) => {
        if (event.type === 'file-started' && event.message.file === 'slow.test.js') cancel.abort();
      },
    });
    assert.equal(result.finished.status, 'cancelled');
    assert.equal(backend.running, 0, 'no fake container is still running when the result arrives');
    assert.equal(exitCodeFor(result, false), EXIT.interrupted);
  });
});
