import type { RunFinishedMessage, ServerMessage } from '@baleen/protocol';
import type { DashboardHub } from '../dashboard/dashboard-hub.js';
import type { Logger } from '../log/logger.js';
import type { ServerMetrics } from '../metrics/server-metrics.js';
import { executeRun, type ExecuteRunDeps } from '../scheduler/execute-run.js';
import type { RunPlan } from '../scheduler/run-plan.js';

export interface RunExecutorDeps {
  /** The scheduler's engine, gates, history and sweeper. */
  scheduling: Omit<ExecuteRunDeps, 'emit' | 'log' | 'onOutput'>;
  log: Logger;
  metrics: ServerMetrics;
  /** The dashboard's view of every run, when it is on. */
  hub: DashboardHub | undefined;
}

/**
 * How this server runs an admitted plan: the scheduler's executeRun, with every message it sends also counted in
 * the metrics, shown on the dashboard and logged at each file's start and end; the dashboard's cancel is the same
 * abort as the client's. The runs in flight are kept so a drain can wait for them.
 */
export class RunExecutor {
  readonly #inFlight = new Set<Promise<RunFinishedMessage>>();

  constructor(private readonly deps: RunExecutorDeps) {}

  /** Runs now. */
  get count(): number {
    return this.#inFlight.size;
  }

  /** Resolves when every run now in flight has finished. */
  async settled(): Promise<void> {
    await Promise.all([...this.#inFlight]);
  }

  execute(plan: RunPlan, emit: (message: ServerMessage) => void, signal: AbortSignal): Promise<RunFinishedMessage> {
    const { metrics, hub } = this.deps;
    metrics.runAccepted(plan.runId);
    const runLog = this.deps.log.child({ runId: plan.runId });
    const dashboardCancel = new AbortController();
    hub?.register(
      {
        runId: plan.runId,
        suite: plan.suite,
        client: plan.client,
        owner: plan.owner,
        image: plan.image,
        files: plan.files,
        startedAt: Date.now(),
        expected: plan.scenarios.map((planned) => planned?.scenarios),
        cancel: (reason) => dashboardCancel.abort(new Error(reason)),
      },
      plan.cucumber !== undefined,
    );
    const observed = (message: ServerMessage): void => {
      metrics.observe(message);
      hub?.observe(plan.runId, message);
      logFileEvent(runLog, message);
      emit(message);
    };
    const running = executeRun(
      plan,
      {
        ...this.deps.scheduling,
        emit: observed,
        log: runLog,
        ...(hub === undefined
          ? {}
          : { onOutput: (fileIndex, _stream, chunk) => hub.output(plan.runId, fileIndex, chunk) }),
      },
      AbortSignal.any([signal, dashboardCancel.signal]),
    ).then((finished) => {
      metrics.observe(finished);
      hub?.observe(plan.runId, finished);
      return finished;
    });
    this.#inFlight.add(running);
    void running.finally(() => this.#inFlight.delete(running));
    return running;
  }
}

/** Each file's start and end, at info: what an operator follows when a team asks what happened. */
function logFileEvent(log: Logger, message: ServerMessage): void {
  if (message.type === 'file-started') {
    log.info(
      { file: message.file, attempt: message.attempt, containerId: message.containerId.slice(0, 12) },
      'file started',
    );
  } else if (message.type === 'file-finished') {
    log.info(
      {
        file: message.file,
        attempt: message.attempt,
        status: message.status,
        durationMs: message.durationMs,
        ...(message.error === undefined ? {} : { error: message.error.code }),
      },
      message.willRetry === true ? 'file attempt failed; retrying' : 'file finished',
    );
  }
}
