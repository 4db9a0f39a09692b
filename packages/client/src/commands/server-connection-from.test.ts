import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { serverConnectionFrom } from './server-connection-from.js';

describe('serverConnectionFrom', () => {
  it('takes --token over BALEEN_TOKEN, reads --ca, and resolves the history file against the project', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'baleen-conn-'));
    await writeFile(path.join(dir, 'ca.pem'), 'PEM');
    const connection = await serverConnectionFrom(
      { server: 'wss://ci:7000', token: 'given', ca: 'ca.pem', history: '.baleen/history.sqlite' },
      dir,
      { BALEEN_TOKEN: 'from-env' },
    );
    assert.equal(connection.server, 'wss://ci:7000');
    assert.equal(connection.token, 'given');
    assert.equal(connection.ca?.toString(), 'PEM');
    assert.equal(connection.historyFile, path.join(dir, '.baleen/history.sqlite'));
  });

  it('falls back to BALEEN_TOKEN, and an empty one is no token', async () => {
    assert.equal((await serverConnectionFrom({ history: 'h' }, '/', { BALEEN_TOKEN: 'env' })).token, 'env');
    assert.equal((await serverConnectionFrom({ history: 'h' }, '/', { BALEEN_TOKEN: '' })).token, undefined);
  });

  it('a --ca that cannot be read is a usage error naming the flag, not a crash', async () => {
    await assert.rejects(
      serverConnectionFrom({ ca: '/no/such/ca.pem', history: 'h' }, '/', {}),
      (error: Error & { code?: string }) =>
        error.code === 'USAGE' && /--ca \/no\/such\/ca\.pem: cannot read it \(ENOENT\)/.test(error.message),
    );
  });
});
