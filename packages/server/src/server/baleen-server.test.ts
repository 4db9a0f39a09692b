import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeServerMessage, PROTOCOL_VERSION, type ServerMessage } from '@baleen/protocol';
import { WebSocket } from 'ws';
import { TokenStore } from '../auth/token-store.js';
import { AUTH_FAILURES_ALLOWED } from '../limits/auth-failures.js';
import { silentLogger } from '../log/logger.js';
import { FakeBackend } from '../testing/fake-backend.js';
import { startServer, type RunningServer } from './baleen-server.js';

/** A raw protocol client: sends anything, collects typed replies. */
async function connect(url: string) {
  const socket = new WebSocket(url);
  const inbox: ServerMessage[] = [];
  const waiters: (() => void)[] = [];
  socket.on('message', (raw) => {
    const decoded = decodeServerMessage(raw as Buffer);
    assert.ok(decoded.ok === true, 'the server only sends valid messages of types this client knows');
    inbox.push(decoded.message);
    waiters.splice(0).forEach((wake) => wake());
  });
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  const next = async (): Promise<ServerMessage> => {
    while (inbox.length === 0) await new Promise<void>((resolve) => waiters.push(resolve));
    return inbox.shift() as ServerMessage;
  };
  const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
  return {
    socket,
    next,
    closed,
    send: (value: unknown) => socket.send(typeof value === 'string' ? value : JSON.stringify(value)),
  };
}

const hello = { type: 'hello', protocolVersion: PROTOCOL_VERSION, client: { name: 'test', version: '0' } };
const run = {
  type: 'run',
  runRef: 'r1',
  image: 'img:latest',
  files: ['a.feature', 'b.feature'],
  command: ['cucumber-js'],
  timeoutSeconds: 5,
  concurrency: 2,
  env: {},
};

describe('baleen-server protocol (real WebSocket, fake backend)', () => {
  let server: RunningServer;
  before(async () => {
    server = await startServer({
      host: '127.0.0.1',
      port: 0,
      capacity: 2,
      log: silentLogger(),
      backend: new FakeBackend(() => ({ durationMs: 10 })),
      // Plain HTTP at / is the dashboard when it is on (its own tests are in dashboard/); here, the hint.
      dashboard: false,
    });
  });
  after(() => server.close());

  it('answers bad frames with an error and keeps serving the same connection', async () => {
    const client = await connect(server.url);
    const bad = [
      'not json',
      '{"type":"hello"}',
      JSON.stringify({ ...run, files: 'x' }),
      '[]',
      'null',
      Buffer.alloc(3, 0xff).toString('latin1'),
    ];
    for (const frame of bad) {
      client.send(frame);
      const reply = await client.next();
      assert.equal(reply.type, 'error');
    }
    client.send(hello);
    assert.equal((await client.next()).type, 'welcome');
    client.socket.close();
  });

  it('requires hello before anything else', async () => {
    const client = await connect(server.url);
    client.send(run);
    const reply = await client.next();
    assert.equal(reply.type === 'error' && reply.code, 'HELLO_REQUIRED');
    client.socket.close();
  });

  it('refuses a different protocol version, naming both, and closes', async () => {
    const client = await connect(server.url);
    client.send({ ...hello, protocolVersion: PROTOCOL_VERSION + 1 });
    const reply = await client.next();
    assert.equal(reply.type, 'error');
    if (reply.type === 'error') {
      assert.equal(reply.code, 'PROTOCOL_VERSION_MISMATCH');
      assert.match(reply.message, new RegExp(`version ${PROTOCOL_VERSION + 1}.*version ${PROTOCOL_VERSION}`));
    }
    assert.equal(await client.closed, 4002);
  });

  it('runs a run: accepted, each file started and finished, then run-finished', async () => {
    const client = await connect(server.url);
    client.send(hello);
    await client.next();
    client.send(run);
    const seen: ServerMessage[] = [];
    for (;;) {
      const message = await client.next();
      seen.push(message);
      if (message.type === 'run-finished') break;
    }
    assert.equal(seen[0]?.type, 'run-accepted');
    assert.equal(seen.filter((m) => m.type === 'file-started').length, 2);
    assert.equal(seen.filter((m) => m.type === 'file-finished').length, 2);
    const last = seen.at(-1);
    assert.equal(last?.type === 'run-finished' && last.status, 'passed');
    client.socket.close();
  });

  it('answers cancel for an unknown run with UNKNOWN_RUN', async () => {
    const client = await connect(server.url);
    client.send(hello);
    await client.next();
    client.send({ type: 'cancel', runId: 'run-nope' });
    const reply = await client.next();
    assert.equal(reply.type === 'error' && reply.code, 'UNKNOWN_RUN');
    client.socket.close();
  });

  it('answers plain HTTP with a hint and serves /healthz', async () => {
    const httpUrl = server.url.replace('ws://', 'http://');
    const health = await fetch(`${httpUrl}/healthz`);
    assert.equal(health.status, 200);
    assert.equal(((await health.json()) as { status: string }).status, 'ok');
    const other = await fetch(httpUrl);
    assert.equal(other.status, 426);
  });
});

describe('guessing tokens (real WebSocket and dashboard sign-in, fake backend)', () => {
  let server: RunningServer;
  before(async () => {
    const tokens = new TokenStore(['team-a-secret'], undefined);
    await tokens.reload();
    server = await startServer({
      host: '127.0.0.1',
      port: 0,
      capacity: 1,
      log: silentLogger(),
      backend: new FakeBackend(() => ({ durationMs: 10 })),
      tokens,
    });
  });
  after(() => server.close());

  /** The HTTP status an upgrade with this token gets (101 when it becomes a WebSocket), and its Retry-After. */
  const upgrade = (token: string) =>
    new Promise<{ status: number; retryAfter: string | undefined }>((resolve, reject) => {
      const socket = new WebSocket(server.url, { headers: { authorization: `Bearer ${token}` } });
      socket.once('open', () => {
        socket.close();
        resolve({ status: 101, retryAfter: undefined });
      });
      socket.once('unexpected-response', (_request, response) => {
        resolve({ status: response.statusCode ?? 0, retryAfter: response.headers['retry-after'] });
        socket.terminate();
      });
      socket.once('error', reject);
    });

  it('refuses an address that presented too many wrong tokens, unchecked, at the socket, /metrics and the sign-in alike', async () => {
    assert.equal((await upgrade('team-a-secret')).status, 101);
    const httpUrl = server.url.replace('ws://', 'http://');
    // Guesses at /metrics count too: it answers 200 or 401, so it could test a guess as well as the socket.
    for (let i = 0; i < AUTH_FAILURES_ALLOWED; i += 1) {
      if (i % 2 === 0) assert.equal((await upgrade(`guess-${i}`)).status, 401);
      else {
        const metrics = await fetch(`${httpUrl}/metrics`, { headers: { authorization: `Bearer guess-${i}` } });
        assert.equal(metrics.status, 401);
      }
    }
    const held = await upgrade('another-guess');
    assert.equal(held.status, 429);
    assert.ok(Number(held.retryAfter) > 0 && Number(held.retryAfter) <= 60, `Retry-After ${held.retryAfter}`);
    // Not even the right token is checked now: a guess that happens to be right cannot be told from a wrong one.
    assert.equal((await upgrade('team-a-secret')).status, 429);
    const metrics = await fetch(`${httpUrl}/metrics`, { headers: { authorization: 'Bearer team-a-secret' } });
    assert.equal(metrics.status, 401, '/metrics does not check a token from a held-back address either');
    const signIn = await fetch(`${httpUrl}/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: httpUrl },
      body: 'token=team-a-secret&next=%2F',
      redirect: 'manual',
    });
    assert.equal(signIn.status, 429);
    assert.match(await signIn.text(), /Too many refused sign-ins from this address/);
  });
});
