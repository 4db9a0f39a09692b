import { createLogger, startServer, type RunningServer } from '@baleen/server';
import { ServerConnection } from '../connection/server-connection.js';
import { runOnServer, type RunEvent, type RunResult } from './run-on-server.js';
import type { RunRequest } from './run-request.js';

export interface RunTestsOptions extends RunRequest {
  /** ws:// URL of a Baleen server; without it a server runs in this process (the embedded default). */
  server?: string;
  onEvent?: (event: RunEvent) => void;
  /** Aborting cancels the run; the server removes its containers before the result comes back. */
  signal?: AbortSignal;
}

/**
 * Runs test files on a Baleen server and resolves with every file's result. Without `server`, starts one in
 * this process on a free loopback port and talks to it over the same WebSocket protocol: one code path.
 */
export async function runTests(options: RunTestsOptions): Promise<RunResult> {
  const { server, onEvent = () => {}, signal = new AbortController().signal, ...request } = options;
  let embedded: RunningServer | undefined;
  if (server === undefined) {
    embedded = await startServer({
      host: '127.0.0.1',
      port: 0,
      capacity: request.concurrency,
      ...(request.maxOutputBytes === undefined ? {} : { maxOutputBytes: request.maxOutputBytes }),
      log: createLogger('silent'),
    });
  }
  try {
    const connection = await ServerConnection.open(server ?? embedded?.url ?? '');
    try {
      return await runOnServer(connection, request, onEvent, signal);
    } finally {
      connection.close();
    }
  } finally {
    await embedded?.close();
  }
}
