import type { IncomingMessage, ServerResponse } from 'node:http';
import { ANONYMOUS_TENANT } from '../auth/token-store.js';
import type { Logger } from '../log/logger.js';
import type { DashboardAssets } from './dashboard-assets.js';
import type { DashboardHub, Viewer } from './dashboard-hub.js';
import type { AuthFailures } from '../limits/auth-failures.js';
import { cookieValue, SESSION_COOKIE, SESSION_LIFETIME_MS, type DashboardSessions } from './dashboard-sessions.js';
import { EventStream } from './event-stream.js';
import type { HistoryViews } from './history-views.js';
import { appShell, safeNext, signInPage } from './pages.js';
import type { RunReports } from './run-reports.js';

/** Largest sign-in form read: a token and where to go next. */
const MAX_FORM_BYTES = 8 * 1024;
/** Event streams open at once per session and in all; past either the oldest of the session is closed. */
const MAX_STREAMS_PER_SESSION = 8;
const MAX_STREAMS = 256;

/** Sent on every dashboard response: no framing, no sniffing, scripts and styles from this server only. */
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; " +
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  // same-origin, not no-referrer: with no-referrer a browser sends `Origin: null` on its own form posts.
  'referrer-policy': 'same-origin',
  'cache-control': 'no-store',
};

export interface DashboardRoutesDeps {
  hub: DashboardHub;
  sessions: DashboardSessions;
  history: HistoryViews | undefined;
  reports: RunReports;
  assets: DashboardAssets;
  /** The cookie gets `Secure` when the server speaks TLS. */
  secure: boolean;
  /** Wrong tokens per address, shared with the WebSocket upgrade. */
  authFailures: AuthFailures;
  log: Logger;
}

/**
 * The dashboard's HTTP side: the sign-in, the app's shell and assets, a JSON API and one event stream per page.
 * Every API and stream needs a session when the server has tokens; what a session may see is its own tenant's
 * runs in full and other tenants' runs as load only (docs/security.md). Answers true when it handled the request.
 */
export class DashboardRoutes {
  readonly #streams = new Map<string, Set<EventStream>>();
  #streamCount = 0;

  constructor(private readonly deps: DashboardRoutesDeps) {
    deps.sessions.onEnd((session) => {
      for (const stream of this.#streams.get(session.id) ?? []) stream.close();
      this.#streams.delete(session.id);
    });
  }

  handle(request: IncomingMessage, response: ServerResponse): boolean {
    const url = new URL(request.url ?? '/', 'http://dashboard.invalid');
    const path = url.pathname;
    const method = request.method ?? 'GET';
    if (method === 'GET' && path.startsWith('/assets/')) return this.#asset(path, response);
    if (method === 'POST' && path === '/sign-in') {
      void this.#signIn(request, response);
      return true;
    }
    if (method === 'POST' && path === '/sign-out') {
      if (!sameOrigin(request)) return forbidden(response);
      this.deps.sessions.signOut(cookieValue(request.headers.cookie, SESSION_COOKIE));
      response.writeHead(303, { ...SECURITY_HEADERS, location: '/', 'set-cookie': this.#cookie('', 0) });
      response.end();
      return true;
    }
    const isPage = method === 'GET' && (path === '/' || path.startsWith('/runs/') || path.startsWith('/history'));
    if (!isPage && !path.startsWith('/api/')) return false;

    const sessionId = cookieValue(request.headers.cookie, SESSION_COOKIE);
    const viewer = this.#viewer(sessionId);
    if (viewer === undefined) {
      if (isPage) {
        send(response, 200, 'text/html; charset=utf-8', signInPage(safeNext(`${path}${url.search}`), undefined));
      } else {
        sendJson(response, 401, { error: 'sign in first: POST /sign-in with a token of this server' });
      }
      return true;
    }
    if (isPage) {
      send(response, 200, 'text/html; charset=utf-8', appShell());
      return true;
    }
    this.#api(request, response, url, viewer, sessionId ?? 'anonymous');
    return true;
  }

  #viewer(sessionId: string | undefined): Viewer | undefined {
    if (!this.deps.sessions.required) return { tenant: ANONYMOUS_TENANT, tenancy: false };
    const session = this.deps.sessions.find(sessionId);
    return session === undefined ? undefined : { tenant: session.tenant, tenancy: true };
  }

  #api(request: IncomingMessage, response: ServerResponse, url: URL, viewer: Viewer, sessionId: string): void {
    const { hub, history, reports } = this.deps;
    const parts = url.pathname
      .split('/')
      .filter((part) => part !== '')
      .map(decodeURIComponent);
    const method = request.method ?? 'GET';
    // /api/<what>/...
    const [, what, id, sub, subId, tail] = parts;
    if (method === 'GET' && what === 'now' && parts.length === 2) {
      sendJson(response, 200, hub.now(viewer));
      return;
    }
    if (method === 'GET' && what === 'events' && parts.length === 2) {
      const tailOf = url.searchParams.get('tail');
      this.#openStream(
        response,
        viewer,
        sessionId,
        url.searchParams.get('run') ?? undefined,
        tailOf === null ? undefined : Number(tailOf),
      );
      return;
    }
    if (what === 'runs' && id !== undefined) {
      const live = hub.run(id);
      const own = live !== undefined && hub.owns(viewer, live);
      if (method === 'GET' && sub === undefined) {
        if (live !== undefined) {
          const detail = live.detail(own, hub.queuePosition(live));
          // Another tenant's run: its load, not its files.
          sendJson(
            response,
            200,
            own ? detail : { ...detail, summary: hub.summary(viewer, live), files: [], scenarios: [] },
          );
          return;
        }
        const stored = history?.run(viewer, id);
        if (stored === undefined) sendJson(response, 404, { error: `no run '${id}' that this session may see` });
        else sendJson(response, 200, stored);
        return;
      }
      if (method === 'GET' && sub === 'files' && subId !== undefined && tail === 'output') {
        const fileIndex = Number(subId);
        const output = own ? live.tail(fileIndex) : undefined;
        if (output === undefined) {
          sendJson(response, 404, { error: 'no live output for that file (only a run on this server, your own)' });
          return;
        }
        sendJson(response, 200, { fileIndex, ...output });
        return;
      }
      if (method === 'POST' && sub === 'cancel') {
        // SameSite=Strict keeps other sites' forms out; the header is what a cross-site form cannot send.
        if (!sameOrigin(request) || request.headers['x-baleen-dashboard'] !== '1') {
          forbidden(response);
          return;
        }
        if (live === undefined || !own || live.finished !== undefined) {
          sendJson(response, 403, { error: 'only a running run of your own token can be cancelled here' });
          return;
        }
        this.deps.log.info({ runId: id, tenant: viewer.tenant }, 'run cancelled from the dashboard');
        live.info.cancel('cancelled from the dashboard');
        sendJson(response, 202, { cancelling: id });
        return;
      }
      if (method === 'GET' && sub === 'report' && subId !== undefined) {
        if (live === undefined || !own) {
          sendJson(response, 404, { error: 'reports are kept for your recent runs on this server since it started' });
          return;
        }
        if (live.messagesDropped !== undefined) {
          sendJson(response, 410, {
            error: `${live.messagesDropped}: the client's --junit, --messages and --html have them`,
          });
          return;
        }
        void reports.send(live, subId, response).catch((error: unknown) => {
          this.deps.log.warn({ err: String(error), runId: id }, 'could not build a report');
          if (!response.headersSent)
            sendJson(response, 500, { error: `the report could not be built: ${String(error)}` });
          else response.destroy();
        });
        return;
      }
    }
    if (method === 'GET' && what === 'history') {
      if (history === undefined) {
        sendJson(response, 404, { error: 'this server keeps no history (--no-history)' });
        return;
      }
      const suite = url.searchParams.get('suite') ?? undefined;
      const file = url.searchParams.get('file');
      if (id === undefined) {
        sendJson(response, 200, history.suite(viewer, suite));
        return;
      }
      if (suite !== undefined && file !== null && id === 'file') {
        const trend = history.file(viewer, suite, file);
        if (trend === undefined) sendJson(response, 404, { error: 'no such suite among your runs' });
        else sendJson(response, 200, trend);
        return;
      }
      const line = Number(url.searchParams.get('line'));
      if (suite !== undefined && file !== null && id === 'scenario' && Number.isInteger(line)) {
        const trend = history.scenario(viewer, suite, file, line);
        if (trend === undefined) sendJson(response, 404, { error: 'no such suite among your runs' });
        else sendJson(response, 200, trend);
        return;
      }
    }
    sendJson(response, 404, { error: `no such dashboard API: ${method} ${url.pathname}` });
  }

  #openStream(
    response: ServerResponse,
    viewer: Viewer,
    sessionId: string,
    runId: string | undefined,
    tailOf: number | undefined,
  ): void {
    const mine = this.#streams.get(sessionId) ?? new Set<EventStream>();
    this.#streams.set(sessionId, mine);
    // Bounded per session and in all: the oldest goes first (a page left open in a forgotten tab).
    if (mine.size >= MAX_STREAMS_PER_SESSION) [...mine][0]?.close();
    if (this.#streamCount >= MAX_STREAMS) {
      sendJson(response, 503, { error: 'too many dashboard streams open on this server' });
      return;
    }
    const stream = new EventStream(
      response,
      this.deps.hub,
      viewer,
      runId,
      tailOf !== undefined && Number.isInteger(tailOf) ? tailOf : undefined,
    );
    mine.add(stream);
    this.#streamCount += 1;
    response.on('close', () => {
      mine.delete(stream);
      this.#streamCount -= 1;
    });
  }

  /** Closes every event stream (the server is stopping). */
  close(): void {
    for (const streams of this.#streams.values()) for (const stream of streams) stream.close();
    this.#streams.clear();
  }

  async #signIn(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const form = await readForm(request);
    const next = safeNext(form?.get('next'));
    if (form === undefined || !sameOrigin(request)) {
      send(response, 400, 'text/html; charset=utf-8', signInPage(next, 'That sign-in could not be read.'));
      return;
    }
    const address = request.socket.remoteAddress;
    const retryAfter = this.deps.authFailures.retryAfterSeconds(address);
    if (retryAfter !== undefined) {
      response.setHeader('retry-after', String(retryAfter));
      send(
        response,
        429,
        'text/html; charset=utf-8',
        signInPage(next, `Too many refused sign-ins from this address: try again in ${retryAfter} s.`),
      );
      return;
    }
    const session = this.deps.sessions.signIn(form.get('token') ?? '');
    if (session === undefined) {
      this.deps.authFailures.failed(address);
      this.deps.log.warn({ peer: address }, 'dashboard sign-in refused: token not accepted');
      send(response, 401, 'text/html; charset=utf-8', signInPage(next, 'Sign-in refused: that token is not accepted.'));
      return;
    }
    response.writeHead(303, {
      ...SECURITY_HEADERS,
      location: next,
      'set-cookie': this.#cookie(session.id, SESSION_LIFETIME_MS / 1000),
    });
    response.end();
  }

  #cookie(value: string, maxAgeSeconds: number): string {
    const secure = this.deps.secure ? '; Secure' : '';
    return `${SESSION_COOKIE}=${value}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${maxAgeSeconds}${secure}`;
  }

  #asset(path: string, response: ServerResponse): boolean {
    const asset = this.deps.assets.get(path.slice('/assets/'.length));
    if (asset === undefined) {
      sendJson(response, 404, { error: 'no such asset (is the dashboard built? npm run build)' });
      return true;
    }
    response.writeHead(200, { ...SECURITY_HEADERS, 'content-type': asset.contentType, 'cache-control': 'no-cache' });
    response.end(asset.body);
    return true;
  }
}

/** A POST from another site carries its Origin; one without Origin is a non-browser client, left to the token. */
function sameOrigin(request: IncomingMessage): boolean {
  const origin = request.headers.origin;
  if (origin === undefined || origin === 'null') return origin === undefined;
  try {
    return new URL(origin).host === request.headers.host;
  } catch {
    return false;
  }
}

async function readForm(request: IncomingMessage): Promise<URLSearchParams | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_FORM_BYTES) return undefined;
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function send(response: ServerResponse, status: number, contentType: string, body: string): void {
  response.writeHead(status, { ...SECURITY_HEADERS, 'content-type': contentType });
  response.end(body);
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  send(response, status, 'application/json; charset=utf-8', JSON.stringify(body));
}

function forbidden(response: ServerResponse): boolean {
  sendJson(response, 403, { error: 'refused: a request from another site' });
  return true;
}
