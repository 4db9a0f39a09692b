import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { embeddedServerId, isOrphanedEmbeddedServer } from './embedded-owner.js';

describe('embedded server ids', () => {
  const alive = new Set([4242]);
  const isAlive = (pid: number): boolean => alive.has(pid);

  it('names the host and the process, in a form safe for a label value', () => {
    assert.match(embeddedServerId(4242, 'laptop-1'), /^emb-laptop-1-4242-[0-9a-f]{6}$/);
  });

  it('is orphaned only when its process on this host has ended', () => {
    assert.equal(isOrphanedEmbeddedServer(embeddedServerId(999, 'laptop-1'), isAlive, 'laptop-1'), true);
    assert.equal(isOrphanedEmbeddedServer(embeddedServerId(4242, 'laptop-1'), isAlive, 'laptop-1'), false);
  });

  it('never claims another host’s servers, a shared server’s, or its own process', () => {
    assert.equal(isOrphanedEmbeddedServer(embeddedServerId(999, 'ci-runner'), isAlive, 'laptop-1'), false);
    assert.equal(isOrphanedEmbeddedServer('srv-0123456789ab', isAlive, 'laptop-1'), false);
    assert.equal(
      isOrphanedEmbeddedServer(embeddedServerId(process.pid, 'laptop-1'), () => false, 'laptop-1'),
      false,
    );
  });

  it('really checks the process table by default', () => {
    assert.equal(isOrphanedEmbeddedServer(embeddedServerId(process.ppid)), false, 'the parent is alive');
    // Pid numbers stop well below 2^22 on Linux: this one cannot exist.
    assert.equal(isOrphanedEmbeddedServer(embeddedServerId(2 ** 22 + 1)), true);
  });
});
