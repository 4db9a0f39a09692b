import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { CapacityGate } from '../scheduler/capacity-gate.js';
import { ServerMetrics } from './server-metrics.js';

describe('server metrics', () => {
  it('times a run from being accepted to its first container running, once per run', async () => {
    const metrics = new ServerMetrics(new CapacityGate(2));
    metrics.runAccepted('run-1');
    await sleep(30);
    const started = { type: 'file-started', runId: 'run-1' } as Parameters<ServerMetrics['observe']>[0];
    metrics.observe(started);
    metrics.observe(started);
    const text = await metrics.registry.metrics();
    assert.match(text, /^baleen_run_first_container_seconds_count 1$/m);
    const sum = Number(/^baleen_run_first_container_seconds_sum (\S+)$/m.exec(text)?.[1]);
    assert.ok(sum >= 0.025 && sum < 1, `sum ${sum}`);
  });

  it('exposes the process metrics an operator needs: resident memory and event-loop delay', async () => {
    const text = await new ServerMetrics(new CapacityGate(1)).registry.metrics();
    assert.match(text, /^process_resident_memory_bytes \d+/m);
    assert.match(text, /^nodejs_eventloop_lag_p99_seconds /m);
  });
});
