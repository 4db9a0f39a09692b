import { createHash } from 'node:crypto';
import {
  decodeServerMessage,
  PROTOCOL_VERSION,
  treeHashOf,
  type ClientMessage,
  type ServerMessage,
  type SyncEntry,
} from '@baleen/protocol';
import { WebSocket } from 'ws';

/**
 * A client that speaks the protocol frame by frame, as an attacker with a valid token (or a test) would: no CLI,
 * no checks of its own. `raw` sends anything at all.
 */
export class ProtocolClient {
  readonly received: ServerMessage[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  #listeners = new Set<() => void>();

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (raw) => {
      const decoded = decodeServerMessage(raw);
      if (decoded.ok === true) this.received.push(decoded.message);
      this.#listeners.forEach((notify) => notify());
    });
    this.closed = new Promise((resolve) => {
      socket.once('close', (code, reason) => {
        this.#listeners.forEach((notify) => notify());
        resolve({ code, reason: reason.toString() });
      });
    });
    socket.on('error', () => {});
  }

  static async connect(url: string, token?: string): Promise<ProtocolClient> {
    const socket = new WebSocket(url, {
      perMessageDeflate: false,
      ...(token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } }),
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
      socket.once('unexpected-response', (_request, response) =>
        reject(new Error(`HTTP ${response.statusCode ?? '?'} instead of a WebSocket`)),
      );
    });
    return new ProtocolClient(socket);
  }

  /** Connects and says hello. */
  static async greeted(url: string, token?: string): Promise<ProtocolClient> {
    const client = await ProtocolClient.connect(url, token);
    client.send({ type: 'hello', protocolVersion: PROTOCOL_VERSION, client: { name: 'probe', version: '0' } });
    await client.next((message) => message.type === 'welcome');
    return client;
  }

  send(message: ClientMessage): void {
    this.socket.send(JSON.stringify(message));
  }

  raw(data: string | Buffer): void {
    this.socket.send(data);
  }

  get isOpen(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  /** The first message (received so far or later) that matches, removed from what is kept. */
  next<T extends ServerMessage = ServerMessage>(
    matches: (message: ServerMessage) => boolean,
    timeoutMs = 30_000,
  ): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const index = this.received.findIndex(matches);
        if (index !== -1) {
          const [found] = this.received.splice(index, 1);
          done();
          resolve(found as T);
        } else if (this.socket.readyState === WebSocket.CLOSED) {
          done();
          reject(new Error(`connection closed; received: ${JSON.stringify(this.received).slice(0, 2000)}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no matching message within ${timeoutMs} ms; received: ${summary(this.received)}`));
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        this.#listeners.delete(check);
      };
      this.#listeners.add(check);
      check();
    });
  }

  /** Offers a tree and sends whatever the server asks for, to sync-ready (or the error that refused it). */
  async sync(tree: TestTree, syncRef = `sync-${Math.random().toString(16).slice(2)}`): Promise<ServerMessage> {
    this.send({ type: 'sync-offer', syncRef, treeHash: tree.treeHash });
    for (;;) {
      const reply = await this.next((message) => 'syncRef' in message && message.syncRef === syncRef);
      if (reply.type === 'sync-ready' || reply.type === 'error') return reply;
      if (reply.type !== 'sync-wanted') continue;
      if (reply.manifest) {
        this.send({ type: 'sync-manifest', syncRef, entries: tree.entries, final: true });
        continue;
      }
      for (const hash of reply.blobs) {
        const data = tree.blobs.get(hash) ?? Buffer.alloc(0);
        this.send({ type: 'sync-blob', syncRef, hash, offset: 0, data: data.toString('base64'), final: true });
      }
    }
  }

  /** Runs `sh -c script` on the files, with the synced tree; resolves with run-finished and the files' results. */
  async run(
    options: { image: string; files: string[]; script: string; treeHash?: string; timeoutSeconds?: number },
    runRef = `run-${Math.random().toString(16).slice(2)}`,
  ): Promise<{ accepted: ServerMessage; finished?: ServerMessage; files: ServerMessage[] }> {
    this.send({
      type: 'run',
      runRef,
      image: options.image,
      files: options.files,
      command: ['sh', '-c', options.script, 'sh', '{file}'],
      timeoutSeconds: options.timeoutSeconds ?? 60,
      concurrency: 1,
      env: {},
      ...(options.treeHash === undefined ? {} : { sync: { treeHash: options.treeHash } }),
    });
    const accepted = await this.next(
      (message) =>
        (message.type === 'run-accepted' || message.type === 'error') &&
        'runRef' in message &&
        message.runRef === runRef,
    );
    if (accepted.type !== 'run-accepted') return { accepted, files: [] };
    const runId = accepted.runId;
    const finished = await this.next(
      (message) => message.type === 'run-finished' && message.runId === runId,
      (options.timeoutSeconds ?? 60) * 1000 + 30_000,
    );
    const files = this.received.filter(
      (message) => message.type === 'file-finished' && message.runId === runId && message.willRetry !== true,
    );
    return { accepted, finished, files };
  }

  close(): void {
    this.socket.terminate();
  }
}

export interface TestTree {
  entries: SyncEntry[];
  treeHash: string;
  blobs: Map<string, Buffer>;
}

export const sha256 = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');

/** A tree of files (path → contents) and symlinks (path → `-> target`). */
export function testTree(files: Record<string, string | Buffer>): TestTree {
  const entries: SyncEntry[] = [];
  const blobs = new Map<string, Buffer>();
  for (const [file, contents] of Object.entries(files)) {
    if (typeof contents === 'string' && contents.startsWith('-> ')) {
      entries.push({ kind: 'symlink', path: file, target: contents.slice(3) });
      continue;
    }
    const data = Buffer.from(contents);
    const hash = sha256(data);
    blobs.set(hash, data);
    entries.push({ kind: 'file', path: file, hash, size: data.length, executable: false });
  }
  return { entries, treeHash: treeHashOf(entries), blobs };
}

function summary(messages: ServerMessage[]): string {
  return JSON.stringify(
    messages.map((message) => ({ ...message, ...('stdout' in message ? { stdout: '…' } : {}) })),
  ).slice(0, 3000);
}
