import type { ServerMessage } from '@baleen/protocol';
import type { TenantId } from '../auth/token-store.js';
import type { CapacityGate } from '../scheduler/capacity-gate.js';
import type { FileView, NowView, RunSummaryView, ScenarioView } from './dashboard-api.js';
import { LiveRun, type LiveRunInfo } from './live-run.js';

/** Finished runs kept live (with their files and output tails) after their end. */
export const FINISHED_RUNS_KEPT = 20;
/** Of those, the newest keep their cucumber messages for reports (the rest are read from history). */
export const FINISHED_RUNS_WITH_REPORTS = 5;

/** Who is looking: a session's tenant, and whether tokens are on (without them, everyone is one tenant). */
export interface Viewer {
  tenant: TenantId;
  tenancy: boolean;
}

/** What a subscriber (an event stream) hears. Calls are synchronous and must return at once. */
export interface HubSubscriber {
  nowChanged(): void;
  runChanged(run: LiveRun): void;
  fileChanged(run: LiveRun, file: FileView): void;
  scenarioFinished(run: LiveRun, scenario: ScenarioView): void;
  output(run: LiveRun, fileIndex: number, text: string): void;
}

/**
 * The server-side observer of every run: it folds the messages the scheduler emits to clients into LiveRuns and
 * tells the dashboard's event streams. It never waits on a subscriber (each buffers within its own bound), so a
 * slow browser cannot hold up the scheduler.
 */
export class DashboardHub {
  readonly #runs = new Map<string, LiveRun>();
  readonly #finished: string[] = [];
  readonly #subscribers = new Set<HubSubscriber>();
  readonly #stopWatchingGate: () => void;

  constructor(
    private readonly gate: CapacityGate,
    private readonly startGate: CapacityGate,
  ) {
    this.#stopWatchingGate = gate.onChange(() => this.#each((subscriber) => subscriber.nowChanged()));
  }

  register(info: LiveRunInfo, cucumber: boolean): LiveRun {
    const run = new LiveRun(info);
    run.cucumberRun = cucumber;
    this.#runs.set(info.runId, run);
    this.#each((subscriber) => {
      subscriber.runChanged(run);
      subscriber.nowChanged();
    });
    return run;
  }

  observe(runId: string, message: ServerMessage): void {
    const run = this.#runs.get(runId);
    if (run === undefined) return;
    const changed = run.observe(message);
    const { file, scenario } = changed;
    if (file !== undefined) this.#each((subscriber) => subscriber.fileChanged(run, file));
    if (scenario !== undefined) this.#each((subscriber) => subscriber.scenarioFinished(run, scenario));
    if (file !== undefined || message.type === 'run-finished' || scenario !== undefined) {
      this.#each((subscriber) => subscriber.runChanged(run));
    }
    if (message.type === 'run-finished') this.#retire(runId);
  }

  output(runId: string, fileIndex: number, chunk: Buffer | string): void {
    const run = this.#runs.get(runId);
    if (run === undefined) return;
    const text = typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    if (!run.output(fileIndex, text)) return;
    this.#each((subscriber) => subscriber.output(run, fileIndex, text));
  }

  run(runId: string): LiveRun | undefined {
    return this.#runs.get(runId);
  }

  /** A run's details are its own tenant's (docs/security.md); without tokens every run is everyone's. */
  owns(viewer: Viewer, run: LiveRun): boolean {
    return !viewer.tenancy || run.info.client === viewer.tenant;
  }

  queuePosition(run: LiveRun): number {
    if (run.finished !== undefined) return 0;
    return this.gate.heldBy(run.info.owner) > 0 ? 0 : this.gate.positionOf(run.info.owner);
  }

  summary(viewer: Viewer, run: LiveRun): RunSummaryView {
    const own = this.owns(viewer, run);
    const summary = run.summary(own, this.queuePosition(run));
    // Another tenant's run shows as load (its progress and place in the queue), not as what it tests.
    return own ? summary : { ...summary, suite: 'another tenant', image: '' };
  }

  now(viewer: Viewer): NowView {
    const runs = [...this.#runs.values()].reverse().map((run) => this.summary(viewer, run));
    const nodes = new Map<string, number>();
    for (const run of this.#runs.values()) {
      for (const node of run.nodes()) nodes.set(node, (nodes.get(node) ?? 0) + 1);
    }
    return {
      capacity: { used: this.gate.inUse, total: this.gate.capacity },
      startSlots: { used: this.startGate.inUse, total: this.startGate.capacity },
      queue: runs
        .filter((run) => run.queuePosition > 0)
        .map(({ runId, client, queuePosition }) => ({ runId, client, position: queuePosition }))
        .sort((a, b) => a.position - b.position),
      runs,
      nodes: [...nodes].map(([node, running]) => ({ node, running })).sort((a, b) => a.node.localeCompare(b.node)),
      tenant: viewer.tenant,
    };
  }

  subscribe(subscriber: HubSubscriber): () => void {
    this.#subscribers.add(subscriber);
    return () => this.#subscribers.delete(subscriber);
  }

  close(): void {
    this.#stopWatchingGate();
    this.#subscribers.clear();
  }

  #retire(runId: string): void {
    this.#finished.push(runId);
    const older = this.#finished.at(-1 - FINISHED_RUNS_WITH_REPORTS);
    if (older !== undefined) {
      this.#runs
        .get(older)
        ?.dropMessages(`the dashboard keeps reports for the last ${FINISHED_RUNS_WITH_REPORTS} runs that ended`);
    }
    while (this.#finished.length > FINISHED_RUNS_KEPT) {
      const oldest = this.#finished.shift();
      if (oldest !== undefined) this.#runs.delete(oldest);
    }
  }

  #each(call: (subscriber: HubSubscriber) => void): void {
    for (const subscriber of this.#subscribers) call(subscriber);
  }
}
