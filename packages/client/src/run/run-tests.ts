import type { RunningServer } from '@baleen/server';
import { ServerConnection } from '../connection/server-connection.js';
import { runOnServer, type RunEvent, type RunResult } from './run-on-server.js';
import type { ScannedWorkspace } from '../sync/scan-workspace.js';
import type { RunRequest } from './run-request.js';

/** Where an embedded server keeps the project's suite history, relative to the project. */
export const DEFAULT_HISTORY_FILE = '.baleen/history.sqlite';

export interface RunTestsOptions extends RunRequest {
  /**
   * The embedded server's suite history (SQLite), next to the project: how long files took, so the next run
   * starts the longest first and packs and splits well. Ignored with `server` (a shared server keeps its own).
   */
  historyFile?: string;
  /** ws:// URL of a Baleen server; without it a server runs in this process (the embedded default). */
  server?: string;
  onEvent?: (event: RunEvent) => void;
  /** Aborting cancels the run; the server removes its containers before the result comes back. */
  signal?: AbortSignal;
  /** Token for a server that requires one (sent as `Authorization: Bearer`). */
  token?: string;
  /** Extra CA certificate (PEM) to trust for wss:// servers. */
  ca?: Buffer;
  /** A project tree (scanWorkspace) to sync and place at each container's work dir. */
  workspace?: ScannedWorkspace;
}

/**
 * Runs test files on a Baleen server and resolves with every file's result. Without `server`, starts one in
 * this process on a free loopback port and talks to it over the same WebSocket protocol: one code path.
 */
export async function runTests(options: RunTestsOptions): Promise<RunResult> {
  const {
    server,
    onEvent = () => {},
    signal = new AbortController().signal,
    token,
    ca,
    workspace,
    historyFile,
    ...request
  } = options;
  let embedded: RunningServer | undefined;
  if (server === undefined) {
    // Loaded only for the embedded server: a client of a remote server never needs dockerode and the rest.
    const { startEmbeddedServer } = await import('@baleen/server');
    embedded = await startEmbeddedServer({
      capacity: request.concurrency,
      ...(request.maxOutputBytes === undefined ? {} : { maxOutputBytes: request.maxOutputBytes }),
      ...(historyFile === undefined ? {} : { historyFile }),
    });
  }
  try {
    const connection = await ServerConnection.open(server ?? embedded?.url ?? '', {
      ...(token === undefined ? {} : { token }),
      ...(ca === undefined ? {} : { ca }),
    });
    try {
      return await runOnServer(connection, request, onEvent, signal, workspace);
    } finally {
      connection.close();
    }
  } finally {
    await embedded?.close();
  }
}
