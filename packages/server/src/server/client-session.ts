import {
  assertNever,
  decodeClientMessage,
  frameText,
  encodeMessage,
  PROTOCOL_VERSION,
  type CancelMessage,
  type ErrorCode,
  type HelloMessage,
  type RawFrame,
  type RunFinishedMessage,
  type RunMessage,
  type ServerMessage,
} from '@baleen/protocol';
import { WebSocket } from 'ws';
import { resolveContainer, type ContainerPolicy } from './container-policy.js';
import type { Logger } from '../log/logger.js';
import type { ImagePolicy } from './image-policy.js';
import type { OutboundBudget } from '../limits/outbound-budget.js';
import type { TenantRuns } from '../limits/tenant-runs.js';
import { ANONYMOUS_TENANT, type TenantId } from '../auth/token-store.js';
import type { RunPlan } from '../scheduler/run-plan.js';
import { newId } from './ids.js';
import { SyncReceiver } from '../sync/sync-receiver.js';
import { PendingScenarios } from './pending-scenarios.js';
import { admitRun } from './admit-run.js';
import { lastFailedAnswer } from './last-failed-answer.js';
import type { LastRun } from '../history/history-records.js';
import { newSeed } from '../scheduler/shuffle.js';
import type { WorkspaceStore } from '../sync/workspace-store.js';

/** Close codes in the private range, so a client can tell why the server hung up. */
export const CLOSE_PROTOCOL_VERSION_MISMATCH = 4002;
export const CLOSE_HELLO_TIMEOUT = 4003;
export const CLOSE_IDLE = 4004;
export const CLOSE_TOKEN_REVOKED = 4005;
export const CLOSE_TOO_SLOW = 4006;

/** What a session needs from its server: identity, limits and a way to run a plan. */
export interface SessionHost {
  readonly serverId: string;
  readonly serverVersion: string;
  readonly capacity: number;
  readonly maxOutputBytes: number;
  readonly engine: string;
  readonly imagePolicy: ImagePolicy;
  readonly containerPolicy: ContainerPolicy;
  /** Runs one tenant may have at once, over all its connections, and how many each has. */
  readonly maxRunsPerClient: number;
  /** Who a run's history says ran it when there are no tokens: `local` on an embedded server. */
  readonly clientLabel: string;
  readonly tenantRuns: TenantRuns;
  /** What may be queued for this client, within the server's budget for all clients. */
  readonly outbound: OutboundBudget;
  /** Synced workspaces (--sync), and the largest tree a client may send. */
  readonly workspaces: WorkspaceStore;
  readonly maxSyncBytes: number;
  /** Why this server cannot place a synced workspace in its containers, if it cannot (the swarm backend). */
  readonly syncUnsupported?: string;
  isShuttingDown(): boolean;
  /** The run's page on the dashboard (a path on this server), when the dashboard is on. */
  dashboardPath?: (runId: string) => string;
  /** Where this client stands in the queue for capacity (0: not waiting, or holding a slot). */
  queuePosition(clientId: string): number;
  onQueueChange(listener: () => void): () => void;
  /** The suite's latest finished run by `client` (who the history says ran it); undefined without a history. */
  lastRun?(suite: string, client: string): LastRun | undefined;
  executeRun(plan: RunPlan, emit: (message: ServerMessage) => void, signal: AbortSignal): Promise<RunFinishedMessage>;
}

interface ActiveRun {
  controller: AbortController;
  done: Promise<void>;
  /** The last queue position this run was told. */
  position: number;
}

/**
 * One client connection. Every frame is parsed once, here; a bad one is answered with an `error` message and
 * the connection goes on. The rest of the server sees only typed messages.
 */
export class ClientSession {
  #greeted = false;
  readonly #runs = new Map<string, ActiveRun>();
  readonly #runRefs = new Set<string>();
  readonly #pendingScenarios = new PendingScenarios();
  #sync: SyncReceiver | undefined;
  /** Sync frames are handled one after another: each may write to disk. */
  #syncQueue: Promise<void> = Promise.resolve();

  readonly clientId = newId('client');
  #lastFrameAt = Date.now();

  /**
   * `tenant`: the token's identity, which synced trees are kept under. `owner`: whose runs these are, for
   * --max-runs-per-client and the capacity's rotation (the tenant when tokens are on, so that a token gains nothing
   * by opening more connections; else this connection), so clients, not runs, are served in turn.
   */
  constructor(
    private readonly socket: WebSocket,
    private readonly host: SessionHost,
    private readonly log: Logger,
    readonly tenant: TenantId,
    private readonly owner: string = newId('client'),
  ) {}

  get activeRuns(): number {
    return this.#runs.size;
  }

  get greeted(): boolean {
    return this.#greeted;
  }

  /** How long the connection has had no run, no open sync and no frame; 0 while it has any. */
  idleMs(now = Date.now()): number {
    if (this.#runs.size > 0 || (this.#sync?.openSyncs ?? 0) > 0) return 0;
    return now - this.#lastFrameAt;
  }

  handleFrame(raw: RawFrame): void {
    this.#lastFrameAt = Date.now();
    // The frame trace (--log-level trace): what a client sent, as it came, cut short.
    if (this.log.isLevelEnabled('trace')) this.log.trace({ frame: frameExcerpt(raw) }, '◀ RECV');
    const decoded = decodeClientMessage(raw);
    if (!decoded.ok) {
      this.log.debug({ code: decoded.code }, decoded.reason);
      this.#sendError(decoded.code, decoded.reason);
      return;
    }
    const message = decoded.message;
    if (!this.#greeted && message.type !== 'hello') {
      this.#sendError(
        'HELLO_REQUIRED',
        `the first message must be 'hello' with protocolVersion ${PROTOCOL_VERSION}, got '${message.type}'`,
      );
      return;
    }
    switch (message.type) {
      case 'hello':
        this.#onHello(message);
        return;
      case 'run':
        this.#onRun(message);
        return;
      case 'cancel':
        this.#onCancel(message);
        return;
      case 'run-scenarios': {
        const refusal = this.#runRefs.has(message.runRef)
          ? `runRef '${message.runRef}' was already used on this connection`
          : this.#pendingScenarios.add(message);
        if (refusal !== undefined) this.#sendError('RUN_REJECTED', refusal, { runRef: message.runRef });
        return;
      }
      case 'last-failed-query': {
        const client = this.#historyClient();
        this.#send(lastFailedAnswer(message, (suite) => this.host.lastRun?.(suite, client)));
        return;
      }
      case 'sync-offer':
      case 'sync-manifest':
      case 'sync-blob': {
        if (this.host.syncUnsupported !== undefined) {
          this.#send({
            type: 'error',
            code: 'SYNC_REJECTED',
            message: this.host.syncUnsupported,
            syncRef: message.syncRef,
          });
          return;
        }
        const receiver = (this.#sync ??= new SyncReceiver(
          this.host.workspaces,
          this.host.maxSyncBytes,
          this.tenant,
          (reply) => this.#send(reply),
        ));
        this.#syncQueue = this.#syncQueue.then(() => receiver.handle(message));
        return;
      }
      default:
        assertNever(message, 'client message');
    }
  }

  /** Cancels every run of this connection and resolves when their containers are gone. */
  async close(reason: string): Promise<void> {
    for (const [runId, run] of this.#runs) {
      if (!run.controller.signal.aborted) {
        this.log.info({ runId, reason }, 'cancelling run');
        run.controller.abort(new Error(reason));
      }
    }
    await Promise.all([...this.#runs.values()].map((run) => run.done));
    await this.#syncQueue;
    await this.#sync?.close();
  }

  #onHello(message: HelloMessage): void {
    if (message.protocolVersion !== PROTOCOL_VERSION) {
      this.#sendError(
        'PROTOCOL_VERSION_MISMATCH',
        `client speaks protocol version ${message.protocolVersion} but this server speaks version ${PROTOCOL_VERSION} — ` +
          `use a client and server from the same Baleen release`,
      );
      this.socket.close(CLOSE_PROTOCOL_VERSION_MISMATCH, 'protocol version mismatch');
      return;
    }
    this.#greeted = true;
    this.log.info({ client: message.client }, 'client said hello');
    this.#send({
      type: 'welcome',
      protocolVersion: PROTOCOL_VERSION,
      serverId: this.host.serverId,
      serverVersion: this.host.serverVersion,
      capacity: this.host.capacity,
      engine: this.host.engine,
    });
  }

  #onRun(message: RunMessage): void {
    const runId = newId('run');
    const admission = admitRun(message, {
      shuttingDown: this.host.isShuttingDown(),
      runRefUsed: this.#runRefs.has(message.runRef),
      runsInProgress: this.host.tenantRuns.count(this.owner),
      maxRunsPerClient: this.host.maxRunsPerClient,
      imagePolicy: this.host.imagePolicy,
      syncUnsupported: this.host.syncUnsupported,
      treeReady: (treeHash) => this.host.workspaces.isReady(treeHash, this.tenant),
      container: resolveContainer(message.container, this.host.containerPolicy),
      scenarios: this.#pendingScenarios.take(message.runRef, message.files.length),
      serverId: this.host.serverId,
      capacity: this.host.capacity,
      maxOutputBytes: this.host.maxOutputBytes,
      owner: this.owner,
      client: this.#historyClient(),
      runId,
      newSeed,
    });
    if (!admission.ok) {
      this.#sendError(admission.code, admission.message, { runRef: message.runRef });
      return;
    }
    this.#runRefs.add(message.runRef);
    const releaseTenantRun = this.host.tenantRuns.add(this.owner);
    // A synced tree is kept for as long as the run uses it, whatever else the store evicts meanwhile.
    const unpin = message.sync === undefined ? undefined : this.host.workspaces.pin(message.sync.treeHash);
    const tenant = this.tenant;
    const treeHash = message.sync?.treeHash;
    const plan: RunPlan = {
      ...admission.plan,
      ...(treeHash === undefined ? {} : { workspace: () => this.host.workspaces.archive(treeHash, tenant) }),
    };
    const log = this.log.child({ runId });
    log.info({ image: plan.image, files: plan.files.length, concurrency: plan.concurrency }, 'run accepted');
    this.#send({
      type: 'run-accepted',
      runRef: message.runRef,
      runId,
      fileCount: plan.files.length,
      concurrency: plan.concurrency,
      ...(this.host.dashboardPath === undefined ? {} : { dashboard: this.host.dashboardPath(runId) }),
    });

    const controller = new AbortController();
    const done = this.host
      .executeRun(plan, (event) => this.#send(event), controller.signal)
      .then(
        (finished) => {
          log.info(
            { status: finished.status, totals: finished.totals, wallTimeMs: finished.wallTimeMs },
            'run finished',
          );
          this.#send(finished);
        },
        (error: unknown) => {
          log.error({ err: error }, 'run failed unexpectedly');
          this.#sendError('INTERNAL', `the run failed unexpectedly: ${String(error)}`, { runId });
        },
      )
      .finally(() => {
        releaseTenantRun();
        unpin?.();
        this.#runs.delete(runId);
        if (this.#runs.size === 0) {
          this.#stopWatchingQueue?.();
          this.#stopWatchingQueue = undefined;
        }
      });
    this.#runs.set(runId, { controller, done, position: 0 });
    this.#stopWatchingQueue ??= this.host.onQueueChange(() => this.#tellPositions());
    this.#tellPositions();
  }

  #stopWatchingQueue: (() => void) | undefined;

  /** Who the history says ran this client's runs: its tenant, and what it may read back (--last-failed). */
  #historyClient(): string {
    return this.tenant === ANONYMOUS_TENANT ? this.host.clientLabel : this.tenant;
  }

  /** Tells each run of this client its place in the queue when it changes, and 0 when it gets a slot. */
  #tellPositions(): void {
    const position = this.host.queuePosition(this.owner);
    for (const [runId, run] of this.#runs) {
      if (run.position === position) continue;
      run.position = position;
      this.#send({ type: 'run-queued', runId, position });
    }
  }

  #onCancel(message: CancelMessage): void {
    const run = this.#runs.get(message.runId);
    if (run === undefined) {
      this.#sendError('UNKNOWN_RUN', `no active run '${message.runId}' on this connection`, { runId: message.runId });
      return;
    }
    this.log.info({ runId: message.runId, reason: message.reason }, 'client cancelled run');
    run.controller.abort(new Error(message.reason ?? 'cancelled by the client'));
  }

  #sendError(code: ErrorCode, message: string, about: { runRef?: string; runId?: string } = {}): void {
    // A refusal is what an operator looks for when a team says its run never started.
    if (code === 'RUN_REJECTED' || code === 'SERVER_SHUTTING_DOWN')
      this.log.info({ code, ...about }, `refused a run: ${message}`);
    else this.log.debug({ code, ...about }, message);
    this.#send({ type: 'error', code, message, ...about });
  }

  #send(message: ServerMessage): void {
    if (this.socket.readyState !== WebSocket.OPEN) return;
    const encoded = encodeMessage(message);
    const refusal = this.host.outbound.refusal(this.socket, encoded.length);
    if (refusal !== undefined) {
      // A client that does not read cannot make the server hold its output without bound: it is dropped,
      // which cancels its runs like any disconnect.
      this.log.warn({ buffered: this.socket.bufferedAmount, why: refusal }, 'client reads too slowly; dropping it');
      this.socket.terminate();
      return;
    }
    if (this.log.isLevelEnabled('trace')) this.log.trace({ frame: encoded.slice(0, FRAME_TRACE_CHARS) }, 'SEND ►');
    this.socket.send(encoded);
  }
}

/** Characters of a frame the trace shows. */
const FRAME_TRACE_CHARS = 400;

function frameExcerpt(raw: RawFrame): string {
  const text = frameText(raw);
  return text.length > FRAME_TRACE_CHARS ? `${text.slice(0, FRAME_TRACE_CHARS)}… (${text.length} chars)` : text;
}
