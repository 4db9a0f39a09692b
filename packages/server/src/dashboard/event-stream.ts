import type { ServerResponse } from 'node:http';
import type { DashboardEvent, FileView, ScenarioView } from './dashboard-api.js';
import type { DashboardHub, HubSubscriber, Viewer } from './dashboard-hub.js';
import type { LiveRun } from './live-run.js';

/** How often a stream sends what changed: one batch, whatever the rate of events. */
export const FLUSH_INTERVAL_MS = 250;
/** The Now view (which walks every run) is sent at most this often. */
export const NOW_INTERVAL_MS = 1_000;
/** A comment line this often keeps proxies from closing a quiet stream. */
export const KEEPALIVE_MS = 15_000;
/** Scenario results and output characters held for one flush; past either, the stream asks the page to reload. */
export const MAX_PENDING_SCENARIOS = 5_000;
export const MAX_PENDING_OUTPUT_CHARS = 256 * 1024;
/** Bytes the socket may hold unsent; a browser that does not read that far behind is disconnected. */
export const MAX_UNSENT_BYTES = 4 * 1024 * 1024;

/**
 * One browser's server-sent event stream. The hub's calls only mark what changed (the latest state of each file,
 * scenario results and output appended within fixed bounds); a timer sends it as one batch. A stream that falls
 * behind drops what it held and sends `resync` (the page fetches its state again); one whose socket backs up is
 * closed. So a slow browser costs bounded memory and never delays the scheduler.
 */
export class EventStream implements HubSubscriber {
  #nowDirty = true;
  #lastNowAt = 0;
  #runDirty = false;
  readonly #files = new Map<number, FileView>();
  #scenarios: ScenarioView[] = [];
  readonly #output = new Map<number, string>();
  #outputChars = 0;
  #resync = false;
  readonly #timer: NodeJS.Timeout;
  readonly #keepalive: NodeJS.Timeout;
  readonly #unsubscribe: () => void;
  #closed = false;

  constructor(
    private readonly response: ServerResponse,
    private readonly hub: DashboardHub,
    private readonly viewer: Viewer,
    /** The run whose page is open: its files, scenarios and output are streamed; others only as summaries. */
    private readonly runId: string | undefined,
    /** The file whose output tail is open. */
    private readonly tailOf: number | undefined,
  ) {
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    response.write('retry: 2000\n\n');
    this.#unsubscribe = hub.subscribe(this);
    this.#timer = setInterval(() => this.flush(), FLUSH_INTERVAL_MS);
    this.#keepalive = setInterval(() => this.#write(': keepalive\n\n'), KEEPALIVE_MS);
    this.#timer.unref();
    this.#keepalive.unref();
    response.on('close', () => this.close());
  }

  nowChanged(): void {
    this.#nowDirty = true;
  }

  runChanged(run: LiveRun): void {
    this.#nowDirty = true;
    if (run.runId === this.runId) this.#runDirty = true;
  }

  fileChanged(run: LiveRun, file: FileView): void {
    if (!this.#watches(run)) return;
    // The latest state wins: a file that changed ten times in a flush is sent once.
    this.#files.set(file.index, file);
  }

  scenarioFinished(run: LiveRun, scenario: ScenarioView): void {
    if (!this.#watches(run) || this.#resync) return;
    if (this.#scenarios.length >= MAX_PENDING_SCENARIOS) {
      this.#fallBehind();
      return;
    }
    this.#scenarios.push(scenario);
  }

  output(run: LiveRun, fileIndex: number, text: string): void {
    if (!this.#watches(run) || fileIndex !== this.tailOf || this.#resync) return;
    if (this.#outputChars + text.length > MAX_PENDING_OUTPUT_CHARS) {
      this.#fallBehind();
      return;
    }
    this.#output.set(fileIndex, (this.#output.get(fileIndex) ?? '') + text);
    this.#outputChars += text.length;
  }

  flush(now = Date.now()): void {
    if (this.#closed) return;
    const events: DashboardEvent[] = [];
    if (this.#resync) {
      events.push({ type: 'resync' });
      this.#resync = false;
    }
    if (this.#nowDirty && now - this.#lastNowAt >= NOW_INTERVAL_MS) {
      events.push({ type: 'now', now: this.hub.now(this.viewer) });
      this.#nowDirty = false;
      this.#lastNowAt = now;
    }
    const run = this.runId === undefined ? undefined : this.hub.run(this.runId);
    if (run !== undefined && this.#runDirty) {
      events.push({ type: 'run', summary: this.hub.summary(this.viewer, run) });
      this.#runDirty = false;
    }
    if (run !== undefined && this.#files.size > 0) {
      events.push({ type: 'files', runId: run.runId, files: [...this.#files.values()] });
      this.#files.clear();
    }
    if (run !== undefined && this.#scenarios.length > 0) {
      events.push({ type: 'scenarios', runId: run.runId, scenarios: this.#scenarios });
      this.#scenarios = [];
    }
    if (run !== undefined) {
      for (const [fileIndex, text] of this.#output) events.push({ type: 'output', runId: run.runId, fileIndex, text });
    }
    this.#output.clear();
    this.#outputChars = 0;
    if (events.length > 0) this.#write(`data: ${JSON.stringify(events)}\n\n`);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    clearInterval(this.#keepalive);
    this.#unsubscribe();
    this.response.end();
  }

  #watches(run: LiveRun): boolean {
    return run.runId === this.runId && this.hub.owns(this.viewer, run);
  }

  #fallBehind(): void {
    this.#resync = true;
    this.#scenarios = [];
    this.#files.clear();
    this.#output.clear();
    this.#outputChars = 0;
  }

  #write(text: string): void {
    if (this.#closed) return;
    if (this.response.writableLength > MAX_UNSENT_BYTES) {
      // The browser stopped reading: drop it rather than hold its backlog; EventSource reconnects and refetches.
      this.response.destroy();
      this.close();
      return;
    }
    this.response.write(text);
  }
}
