import type { IncomingMessage } from 'node:http';
import {
  BaleenError,
  decodeServerMessage,
  encodeMessage,
  frameText,
  type ClientMessage,
  type ServerMessage,
} from '@baleen/protocol';
import { WebSocket } from 'ws';

/** How long to wait for a server to accept the connection. */
export const CONNECT_TIMEOUT_MS = 10_000;

/**
 * A server pings every client every few seconds (10 s by default); a link that brings neither a ping nor a message
 * for this long is dead, however quiet the run: the client says so rather than wait forever.
 */
export const SILENT_LINK_MS = 45_000;

/** BALEEN_DEBUG=protocol: every frame, sent and received, on stderr (cut to this many characters). */
const TRACE_LIMIT = 400;
const tracing = (process.env['BALEEN_DEBUG'] ?? '').split(',').includes('protocol');
function trace(direction: 'SEND ►' | '◀ RECV', text: string): void {
  if (!tracing) return;
  const shown = text.length > TRACE_LIMIT ? `${text.slice(0, TRACE_LIMIT)}… (${text.length} chars)` : text;
  process.stderr.write(`baleen:protocol ${direction} ${shown}\n`);
}

/**
 * A WebSocket to a Baleen server. Frames are parsed once, here; the rest of the client pulls typed messages
 * with `next()`, which rejects with CONNECTION_LOST if the server goes away.
 */
export class ServerConnection {
  readonly #queue: ServerMessage[] = [];
  readonly #watchdog: NodeJS.Timeout;
  #waiting: { resolve: (message: ServerMessage) => void; reject: (error: Error) => void } | undefined;
  #closedWith: BaleenError | undefined;

  private constructor(
    private readonly socket: WebSocket,
    readonly url: string,
    private readonly silentLinkMs: number,
  ) {
    this.#watchdog = setTimeout(() => this.#silent(), silentLinkMs);
    this.#watchdog.unref();
    socket.on('ping', () => this.#watchdog.refresh());
    socket.on('message', (raw) => {
      this.#watchdog.refresh();
      if (tracing) trace('◀ RECV', frameText(raw));
      const decoded = decodeServerMessage(raw);
      // A message type a newer server added: not for this client.
      if (decoded.ok === 'skip') return;
      if (!decoded.ok) {
        this.#fail(
          new BaleenError(
            decoded.code,
            `the server at ${url} sent a message this client cannot read: ${decoded.reason}`,
          ),
        );
        return;
      }
      this.#push(decoded.message);
    });
    socket.on('close', (code, reason) => {
      clearTimeout(this.#watchdog);
      const why = reason.length > 0 ? `: ${reason.toString()}` : '';
      this.#fail(
        new BaleenError('CONNECTION_LOST', `the connection to the Baleen server at ${url} closed (code ${code}${why})`),
      );
    });
    socket.on('error', (error) => {
      this.#fail(
        new BaleenError('CONNECTION_LOST', `the connection to the Baleen server at ${url} failed: ${error.message}`),
      );
    });
  }

  static open(
    url: string,
    options: { token?: string; ca?: Buffer; silentLinkMs?: number } = {},
  ): Promise<ServerConnection> {
    return new Promise((resolve, reject) => {
      let socket: WebSocket;
      try {
        socket = new WebSocket(url, {
          handshakeTimeout: CONNECT_TIMEOUT_MS,
          perMessageDeflate: false,
          ...(options.token === undefined ? {} : { headers: { authorization: `Bearer ${options.token}` } }),
          ...(options.ca === undefined ? {} : { ca: options.ca }),
        });
      } catch (error) {
        reject(new BaleenError('USAGE', `'${url}' is not a server address such as ws://host:5533`, { cause: error }));
        return;
      }
      const onError = (error: Error): void => {
        reject(
          new BaleenError(
            'SERVER_UNREACHABLE',
            `cannot reach a Baleen server at ${url} (${error.message}) — start one with baleen-server, ` +
              `or leave out --server to run one in-process`,
            { cause: error },
          ),
        );
      };
      socket.once('error', onError);
      socket.once('unexpected-response', (_request, response) => {
        socket.off('error', onError);
        // Aborting a handshake makes ws emit one last 'error'; the refusal below already says what happened.
        socket.on('error', () => {});
        void refusalOf(response).then((reason) => {
          const status = response.statusCode ?? 0;
          const refused = status === 401 || status === 403;
          const retryAfter = response.headers['retry-after'];
          reject(
            new BaleenError(
              refused || status === 429 ? 'AUTH_FAILED' : 'SERVER_UNREACHABLE',
              refused
                ? `authentication failed at ${url} — pass a valid token with --token or BALEEN_TOKEN`
                : status === 429
                  ? `the server at ${url} holds back this address after too many wrong tokens — ` +
                    `try again in ${retryAfter ?? 'a minute'} s with a valid token`
                  : `the server at ${url} answered HTTP ${status || '?'} instead of a WebSocket` +
                    (reason === '' ? '' : `: ${reason}`),
            ),
          );
          socket.terminate();
        });
      });
      socket.once('open', () => {
        socket.off('error', onError);
        resolve(new ServerConnection(socket, url, options.silentLinkMs ?? SILENT_LINK_MS));
      });
    });
  }

  send(message: ClientMessage): void {
    if (this.socket.readyState !== WebSocket.OPEN) return;
    const text = encodeMessage(message);
    trace('SEND ►', text);
    this.socket.send(text);
  }

  /** Nothing from the server for silentLinkMs: the link is gone even if no TCP error says so yet. */
  #silent(): void {
    this.#fail(
      new BaleenError(
        'CONNECTION_LOST',
        `the Baleen server at ${this.url} has sent nothing for ${this.silentLinkMs / 1000} s (not even its heartbeat): ` +
          'the connection is taken as lost',
      ),
    );
    this.socket.terminate();
  }

  /** The next message from the server, in order. */
  next(): Promise<ServerMessage> {
    const queued = this.#queue.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    if (this.#closedWith !== undefined) return Promise.reject(this.#closedWith);
    return new Promise((resolve, reject) => {
      this.#waiting = { resolve, reject };
    });
  }

  close(): void {
    clearTimeout(this.#watchdog);
    this.#closedWith ??= new BaleenError('CONNECTION_LOST', 'the connection was closed by this client');
    this.socket.close(1000, 'done');
  }

  #push(message: ServerMessage): void {
    const waiting = this.#waiting;
    if (waiting === undefined) {
      this.#queue.push(message);
      return;
    }
    this.#waiting = undefined;
    waiting.resolve(message);
  }

  #fail(error: BaleenError): void {
    this.#closedWith ??= error;
    const waiting = this.#waiting;
    this.#waiting = undefined;
    waiting?.reject(this.#closedWith);
  }
}

/** The first line of a refused upgrade's body (the server says why: `too many connections…`), at most 300 chars. */
function refusalOf(response: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let body = '';
    // A proxy that never ends its answer must not hold the client: what came in a second is enough.
    const timer = setTimeout(() => done(), 1_000);
    const done = (): void => {
      clearTimeout(timer);
      response.destroy();
      resolve((body.split('\n')[0] ?? '').trim().slice(0, 300));
    };
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => {
      if (body.length < 4096) body += chunk;
    });
    response.once('end', done);
    response.once('error', done);
    response.once('close', done);
  });
}
