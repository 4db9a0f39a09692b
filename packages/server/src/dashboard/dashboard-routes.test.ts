import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeServerMessage, PROTOCOL_VERSION, type ServerMessage } from '@baleen/protocol';
import { WebSocket } from 'ws';
import { TokenStore } from '../auth/token-store.js';
import { silentLogger } from '../log/logger.js';
import { startServer, type RunningServer } from '../server/baleen-server.js';
import { FakeBackend } from '../testing/fake-backend.js';

/** A client of tenant `token` with a long run going: its messages, and the run's id. */
async function startRun(url: string, token: string): Promise<{ runId: string; finished: Promise<ServerMessage> }> {
  const socket = new WebSocket(url, { headers: { authorization: `Bearer ${token}` } });
  const inbox: ServerMessage[] = [];
  let wake: (() => void) | undefined;
  socket.on('message', (raw) => {
    const decoded = decodeServerMessage(raw as Buffer);
    if (decoded.ok === true) inbox.push(decoded.message);
    wake?.();
  });
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  const next = async (type: ServerMessage['type']): Promise<ServerMessage> => {
    for (;;) {
      const index = inbox.findIndex((message) => message.type === type);
      if (index >= 0) return inbox.splice(index, 1)[0] as ServerMessage;
      await new Promise<void>((resolve) => (wake = resolve));
    }
  };
  socket.send(
    JSON.stringify({ type: 'hello', protocolVersion: PROTOCOL_VERSION, client: { name: 't', version: '0' } }),
  );
  await next('welcome');
  socket.send(
    JSON.stringify({
      type: 'run',
      runRef: 'r1',
      image: 'img:latest',
      files: ['a.feature'],
      command: ['true'],
      timeoutSeconds: 60,
      concurrency: 1,
      env: {},
    }),
  );
  const accepted = await next('run-accepted');
  assert.ok(accepted.type === 'run-accepted');
  assert.equal(accepted.dashboard, `/runs/${accepted.runId}`, 'run-accepted names the run’s dashboard page');
  const finished = next('run-finished').finally(() => socket.close());
  return { runId: accepted.runId, finished };
}

describe('the dashboard’s HTTP side (real server, fake backend, two tenants)', () => {
  let server: RunningServer;
  let base: string;
  before(async () => {
    server = await startServer({
      host: '127.0.0.1',
      port: 0,
      capacity: 2,
      log: silentLogger(),
      tokens: new TokenStore(['token-a', 'token-b'], undefined),
      backend: new FakeBackend(() => ({ durationMs: 30_000 })),
    });
    base = server.dashboardUrl ?? '';
  });
  after(() => server.close());

  const signIn = async (token: string): Promise<string> => {
    const response = await fetch(`${base}sign-in`, {
      method: 'POST',
      body: new URLSearchParams({ token, next: '/' }),
      redirect: 'manual',
    });
    assert.equal(response.status, 303);
    const cookie = response.headers.get('set-cookie') ?? '';
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Strict/);
    assert.ok(!cookie.includes(token), 'the cookie is not the token');
    return cookie.split(';')[0] ?? '';
  };

  it('serves the dashboard at / of the same port, and needs a session for every API and stream', async () => {
    assert.match(base, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await fetch(base);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /name="token"/, 'the sign-in form');
    for (const path of ['api/now', 'api/events', 'api/history', 'api/runs/run-x']) {
      assert.equal((await fetch(`${base}${path}`)).status, 401, path);
    }
    const refused = await fetch(`${base}sign-in`, {
      method: 'POST',
      body: new URLSearchParams({ token: 'nope' }),
      redirect: 'manual',
    });
    assert.equal(refused.status, 401);
    assert.equal(refused.headers.get('set-cookie'), null);
  });

  it('shows another tenant’s run as load only, and lets only the run’s own token cancel it', async () => {
    const { runId, finished } = await startRun(server.url, 'token-b');
    const a = await signIn('token-a');
    const b = await signIn('token-b');

    const seenByA = (await (await fetch(`${base}api/runs/${runId}`, { headers: { cookie: a } })).json()) as {
      summary: { suite: string; own: boolean; fileCount: number };
      files: unknown[];
    };
    assert.equal(seenByA.summary.own, false);
    assert.equal(seenByA.summary.suite, 'another tenant');
    assert.equal(seenByA.summary.fileCount, 1, 'its size is load, which tenants share');
    assert.deepEqual(seenByA.files, [], 'no file names');
    assert.equal((await fetch(`${base}api/runs/${runId}/files/0/output`, { headers: { cookie: a } })).status, 404);
    assert.equal((await fetch(`${base}api/runs/${runId}/report/junit`, { headers: { cookie: a } })).status, 404);

    const cancel = (cookie: string, headers: Record<string, string> = { 'x-baleen-dashboard': '1' }) =>
      fetch(`${base}api/runs/${runId}/cancel`, { method: 'POST', headers: { cookie, ...headers } });
    assert.equal((await cancel(a)).status, 403, 'another tenant cannot cancel it');
    assert.equal((await cancel(b, {})).status, 403, 'a request without the dashboard’s header is refused');
    assert.equal(
      (await cancel(b, { 'x-baleen-dashboard': '1', origin: 'http://evil.example' })).status,
      403,
      'a request from another site is refused',
    );
    const seenByB = (await (await fetch(`${base}api/runs/${runId}`, { headers: { cookie: b } })).json()) as {
      files: { file: string }[];
    };
    assert.deepEqual(
      seenByB.files.map((file) => file.file),
      ['a.feature'],
    );
    assert.equal((await cancel(b)).status, 202);
    const end = await finished;
    assert.equal(end.type === 'run-finished' && end.status, 'cancelled');
  });

  it('ends a session at sign-out', async () => {
    const a = await signIn('token-a');
    assert.equal((await fetch(`${base}api/now`, { headers: { cookie: a } })).status, 200);
    await fetch(`${base}sign-out`, { method: 'POST', headers: { cookie: a }, redirect: 'manual' });
    assert.equal((await fetch(`${base}api/now`, { headers: { cookie: a } })).status, 401);
  });
});
