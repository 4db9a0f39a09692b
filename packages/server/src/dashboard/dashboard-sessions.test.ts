import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { TokenStore } from '../auth/token-store.js';
import {
  cookieValue,
  DashboardSessions,
  MAX_SESSIONS,
  MAX_SESSIONS_PER_TENANT,
  SESSION_LIFETIME_MS,
} from './dashboard-sessions.js';

test('a sign-in with an accepted token gets a random session id mapped to its tenant; a wrong one gets none', async () => {
  const tokens = new TokenStore(['right'], undefined);
  await tokens.reload();
  const sessions = new DashboardSessions(tokens);
  assert.equal(sessions.signIn('wrong'), undefined);
  const session = sessions.signIn('right');
  assert.ok(session !== undefined);
  assert.notEqual(session.id, 'right');
  assert.ok(session.id.length >= 40);
  assert.equal(session.tenant, tokens.identify('right'));
  assert.equal(sessions.find(session.id)?.tenant, session.tenant);
  assert.equal(sessions.find('made-up'), undefined);
});

test('a session ends at its lifetime and at sign-out', async () => {
  const tokens = new TokenStore(['right'], undefined);
  const sessions = new DashboardSessions(tokens);
  const session = sessions.signIn('right', 0);
  assert.ok(session !== undefined);
  assert.equal(sessions.find(session.id, SESSION_LIFETIME_MS + 1), undefined);
  const again = sessions.signIn('right');
  sessions.signOut(again?.id);
  assert.equal(sessions.find(again?.id), undefined);
  await Promise.resolve();
});

test("a token revoked from the token file ends its sessions at the reload, and tells the session's streams", async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'baleen-sessions-'));
  const file = path.join(dir, 'tokens');
  await writeFile(file, 'team-a\nteam-b\n');
  const tokens = new TokenStore([], file);
  await tokens.reload();
  const sessions = new DashboardSessions(tokens);
  const a = sessions.signIn('team-a');
  const b = sessions.signIn('team-b');
  const ended: string[] = [];
  sessions.onEnd((session) => ended.push(session.id));
  await writeFile(file, 'team-b\n');
  await tokens.reload();
  assert.equal(sessions.find(a?.id), undefined);
  assert.ok(sessions.find(b?.id) !== undefined);
  assert.deepEqual(ended, [a?.id]);
});

test('cookieValue reads one cookie of a Cookie header', () => {
  assert.equal(cookieValue('a=1; baleen_session=abc=; b=2', 'baleen_session'), 'abc=');
  assert.equal(cookieValue(undefined, 'baleen_session'), undefined);
});

test("a tenant signing in over and over ends only its own oldest sessions, never another tenant's", async () => {
  const tokens = new TokenStore(['team-a', 'team-b'], undefined);
  await tokens.reload();
  const sessions = new DashboardSessions(tokens);
  const victim = sessions.signIn('team-b');
  const first = sessions.signIn('team-a');
  let last = first;
  for (let i = 0; i < MAX_SESSIONS + 10; i += 1) last = sessions.signIn('team-a');
  assert.ok(sessions.find(victim?.id) !== undefined, "team-b's session outlives team-a's sign-in flood");
  assert.equal(sessions.find(first?.id), undefined, "team-a's own oldest session was the one to go");
  assert.ok(sessions.find(last?.id) !== undefined);
});

test('at the global bound, room is made from the tenant holding the most sessions', async () => {
  const names = Array.from({ length: Math.ceil(MAX_SESSIONS / MAX_SESSIONS_PER_TENANT) + 1 }, (_, i) => `team-${i}`);
  const tokens = new TokenStore(names, undefined);
  await tokens.reload();
  const sessions = new DashboardSessions(tokens);
  const small = sessions.signIn('team-0');
  for (const name of names.slice(1)) for (let i = 0; i < MAX_SESSIONS_PER_TENANT; i += 1) sessions.signIn(name);
  assert.ok(sessions.find(small?.id) !== undefined, 'the tenant with one session keeps it');
});
