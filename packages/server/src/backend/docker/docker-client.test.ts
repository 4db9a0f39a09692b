import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { createDockerClient } from './docker-client.js';

describe('createDockerClient', () => {
  it('never follows a redirect from the engine: the call fails, nothing else is contacted, nothing is thrown', async () => {
    let contacted = 0;
    const elsewhere = createTcpServer((socket) => {
      contacted += 1;
      socket.destroy();
    });
    await new Promise<void>((resolve) => elsewhere.listen(0, '127.0.0.1', resolve));
    const port = (elsewhere.address() as { port: number }).port;
    // A fake engine that answers every request as the real one answers a path with `..`: with a redirect.
    const socketPath = path.join(await mkdtemp(path.join(tmpdir(), 'baleen-fake-engine-')), 'docker.sock');
    const engine = createHttpServer((request, response) => {
      response.writeHead(301, { location: `/127.0.0.1:${port}/x/json` });
      response.end();
    });
    await new Promise<void>((resolve) => engine.listen(socketPath, resolve));
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown): void => {
      uncaught.push(error);
    };
    process.on('uncaughtException', onUncaught);
    try {
      const docker = createDockerClient({ socketPath });
      await assert.rejects(docker.getImage('x').inspect());
      await assert.rejects(docker.ping());
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(contacted, 0, 'the redirect target was contacted');
      assert.deepEqual(uncaught, []);
    } finally {
      process.off('uncaughtException', onUncaught);
      engine.close();
      elsewhere.close();
    }
  });
});
