import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { TokenStore } from '../auth/token-store.js';
import { cookieValue, DashboardSessions, SESSION_LIFETIME_MS } from './dashboard-sessions.js';

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
