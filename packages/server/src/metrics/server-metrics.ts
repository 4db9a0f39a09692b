import type { ServerMessage } from '@baleen/protocol';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { CapacityGate } from '../scheduler/capacity-gate.js';

/** Prometheus metrics of one server, fed by the messages it sends (so they count exactly what clients see). */
export class ServerMetrics {
  readonly registry = new Registry();
  readonly #runs = new Counter({
    name: 'baleen_runs_total',
    help: 'Runs finished, by status',
    labelNames: ['status'],
    registers: [this.registry],
  });
  readonly #files = new Counter({
    name: 'baleen_files_total',
    help: 'File attempts finished, by status',
    labelNames: ['status'],
    registers: [this.registry],
  });
  readonly #startLatency = new Histogram({
    name: 'baleen_container_start_seconds',
    help: 'From a file getting its slot to its container running',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
    registers: [this.registry],
  });
  readonly #firstStart = new Histogram({
    name: 'baleen_run_first_container_seconds',
    help: 'From a run being accepted to its first container running (queueing and image checks included)',
    buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300],
    registers: [this.registry],
  });
  /** Runs accepted and not yet started, with when they were accepted. */
  readonly #waitingForFirstStart = new Map<string, number>();
  /** Each run's files that have not started yet (nor ended without starting): the queue people care about. */
  readonly #queuedFiles = new Map<string, Set<number>>();

  /** Files of every run that wait to start: held back by a run's concurrency or by the server's capacity. */
  get queuedFiles(): number {
    let count = 0;
    for (const files of this.#queuedFiles.values()) count += files.size;
    return count;
  }

  constructor(gate: CapacityGate) {
    // Process metrics (RSS, heap, open fds, event-loop delay percentiles from monitorEventLoopDelay): what an
    // operator watches to see that one busy run does not slow every other client's. 10 ms resolution.
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: 10 });
    const queued = (): number => this.queuedFiles;
    new Gauge({
      name: 'baleen_queue_depth',
      help: "Files waiting to start, held back by their run's concurrency or by the server's capacity",
      registers: [this.registry],
      collect() {
        this.set(queued());
      },
    });
    new Gauge({
      name: 'baleen_active_containers',
      help: 'Slots of the capacity in use (containers being created, running or removed)',
      registers: [this.registry],
      collect() {
        this.set(gate.inUse);
      },
    });
    new Gauge({ name: 'baleen_capacity', help: 'Containers at once, across all runs', registers: [this.registry] }).set(
      gate.capacity,
    );
  }

  observe(message: ServerMessage): void {
    if (message.type === 'run-planned') {
      this.#queuedFiles.set(message.runId, new Set(Array.from({ length: message.history.total }, (_, index) => index)));
    } else if (message.type === 'file-started') {
      this.#queuedFiles.get(message.runId)?.delete(message.fileIndex);
      const accepted = this.#waitingForFirstStart.get(message.runId);
      if (accepted !== undefined) {
        this.#firstStart.observe((performance.now() - accepted) / 1000);
        this.#waitingForFirstStart.delete(message.runId);
      }
    } else if (message.type === 'file-finished') {
      this.#files.inc({ status: message.status });
      this.#queuedFiles.get(message.runId)?.delete(message.fileIndex);
    } else if (message.type === 'run-finished') {
      this.#runs.inc({ status: message.status });
      this.#waitingForFirstStart.delete(message.runId);
      this.#queuedFiles.delete(message.runId);
    }
  }

  /** A run was accepted and handed to the scheduler: the clock of baleen_run_first_container_seconds starts. */
  runAccepted(runId: string): void {
    this.#waitingForFirstStart.set(runId, performance.now());
  }

  observeStartLatency(seconds: number): void {
    this.#startLatency.observe(seconds);
  }
}
