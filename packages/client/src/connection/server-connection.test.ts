import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { after, describe, it } from 'node:test';
import { PROTOCOL_VERSION, type ServerMessage } from '@baleen/protocol';
import { WebSocketServer, type WebSocket } from 'ws';
import { ServerConnection } from './server-connection.js';

const welcome: ServerMessage = {
  type: 'welcome',
  protocolVersion: PROTOCOL_VERSION,
  serverId: 'srv',
  serverVersion: '0',
  capacity: 1,
  engine: 'test://engine',
};

/** A WebSocket server on loopback that does what `onConnection` says with each client. */
async function serverThat(onConnection: (socket: WebSocket) => void): Promise<{ url: string; close(): void }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((resolve) => wss.once('listening', resolve));
  wss.on('connection', onConnection);
  return {
    url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`,
    close: () => {
      for (const client of wss.clients) client.terminate();
      wss.close();
    },
  };
}

/** An HTTP server that refuses every upgrade with this raw response, as baleen-server's refusals are written. */
async function refusingServer(raw: string): Promise<{ url: string; close(): void }> {
  const http = createServer();
  http.on('upgrade', (_request, socket: Socket) => {
    socket.end(raw);
    socket.destroy();
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return { url: `ws://127.0.0.1:${(http.address() as AddressInfo).port}`, close: () => http.close() };
}

describe('ServerConnection', () => {
  const servers: { close(): void }[] = [];
  after(() => servers.forEach((server) => server.close()));

  it("a refused upgrade says why, in the server's own words", async () => {
    const server = await refusingServer(
      'HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Type: text/plain\r\n\r\n' +
        'this token has 16 connections open (at most 16)\n',
    );
    servers.push(server);
    await assert.rejects(ServerConnection.open(server.url), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'SERVER_UNREACHABLE');
      assert.match(error.message, /answered HTTP 503 instead of a WebSocket: this token has 16 connections open/);
      return true;
    });
  });

  it('an address held back after wrong tokens is told when to try again', async () => {
    const server = await refusingServer(
      'HTTP/1.1 429 Too Many Requests\r\nConnection: close\r\nContent-Type: text/plain\r\nRetry-After: 42\r\n\r\n' +
        'too many wrong tokens from this address; try again later\n',
    );
    servers.push(server);
    await assert.rejects(ServerConnection.open(server.url, { token: 'guess' }), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'AUTH_FAILED');
      assert.match(error.message, /holds back this address after too many wrong tokens — try again in 42 s/);
      return true;
    });
  });

  it('takes a link that brings nothing, not even a ping, as lost', { timeout: 5_000 }, async () => {
    const server = await serverThat(() => undefined);
    servers.push(server);
    const connection = await ServerConnection.open(server.url, { silentLinkMs: 300 });
    const started = Date.now();
    await assert.rejects(connection.next(), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'CONNECTION_LOST');
      assert.match(error.message, /has sent nothing for 0.3 s \(not even its heartbeat\)/);
      return true;
    });
    assert.ok(Date.now() - started >= 250, 'not before the silent time');
  });

  it('keeps a quiet link whose server pings', { timeout: 5_000 }, async () => {
    const server = await serverThat((socket) => {
      const pings = setInterval(() => socket.ping(), 100);
      setTimeout(() => {
        clearInterval(pings);
        socket.send(JSON.stringify(welcome));
      }, 1_000);
    });
    servers.push(server);
    const connection = await ServerConnection.open(server.url, { silentLinkMs: 300 });
    assert.equal((await connection.next()).type, 'welcome');
    connection.close();
  });

  it('skips a message type a newer server added, and reads the next', async () => {
    const server = await serverThat((socket) => {
      socket.send(JSON.stringify({ type: 'dashboard-link', url: 'http://x' }));
      socket.send(JSON.stringify(welcome));
    });
    servers.push(server);
    const connection = await ServerConnection.open(server.url);
    assert.equal((await connection.next()).type, 'welcome');
    connection.close();
  });
});
