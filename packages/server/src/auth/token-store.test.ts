import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { bearerToken, TokenStore } from './token-store.js';

describe('TokenStore', () => {
  it('accepts only known tokens', () => {
    const store = new TokenStore(['alpha', ''], undefined);
    assert.equal(store.enabled, true);
    assert.equal(store.accepts('alpha'), true);
    assert.equal(store.accepts('alph'), false);
    assert.equal(store.accepts(''), false);
    assert.equal(store.accepts(undefined), false);
  });

  it('reads a token file and revokes a removed line on reload', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'baleen-tokens-'));
    try {
      const file = path.join(dir, 'tokens');
      await writeFile(file, '# team tokens\nci-token\nlaptop-token\n');
      const store = new TokenStore([], file);
      await store.reload();
      assert.equal(store.accepts('laptop-token'), true);
      await writeFile(file, 'ci-token\n');
      await store.reload();
      assert.equal(store.accepts('laptop-token'), false);
      assert.equal(store.accepts('ci-token'), true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('is off without tokens', () => {
    assert.equal(new TokenStore([], undefined).enabled, false);
  });
});

describe('bearerToken', () => {
  it('reads the token from an Authorization header', () => {
    assert.equal(bearerToken('Bearer abc'), 'abc');
    assert.equal(bearerToken('bearer  abc '), 'abc');
    assert.equal(bearerToken('Basic abc'), undefined);
    assert.equal(bearerToken(undefined), undefined);
  });
});

describe('TokenStore.identify', () => {
  it('gives each token its own stable tenant, and none once revoked', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'baleen-tokens-'));
    try {
      const file = path.join(dir, 'tokens');
      await writeFile(file, 'team-a\nteam-b\n');
      const store = new TokenStore(['fixed'], file);
      let reloads = 0;
      store.onReload(() => (reloads += 1));
      await store.reload();
      const a = store.identify('team-a');
      assert.ok(a !== undefined && a !== store.identify('team-b') && a !== store.identify('fixed'));
      assert.doesNotMatch(a, /team-a/);
      await writeFile(file, '# b left\nteam-a\n');
      await store.reload();
      assert.equal(store.identify('team-a'), a, 'the same token keeps its tenant across reloads');
      assert.equal(store.identify('team-b'), undefined);
      assert.equal(reloads, 2);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
