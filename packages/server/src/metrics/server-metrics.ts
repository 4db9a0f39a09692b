import type { ServerMessage } from '@baleen/protocol';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
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

  constructor(gate: CapacityGate) {
    new Gauge({
      name: 'baleen_queue_depth',
      help: 'Files waiting for a slot of the capacity',
      registers: [this.registry],
      collect() {
        this.set(gate.waiting);
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
    if (message.type === 'file-finished') this.#files.inc({ status: message.status });
    else if (message.type === 'run-finished') this.#runs.inc({ status: message.status });
  }

  observeStartLatency(seconds: number): void {
    this.#startLatency.observe(seconds);
  }
}
