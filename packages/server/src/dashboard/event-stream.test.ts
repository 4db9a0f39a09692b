import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { test } from 'node:test';
import type { ServerMessage } from '@baleen/protocol';
import { CapacityGate } from '../scheduler/capacity-gate.js';
import type { DashboardEvent } from './dashboard-api.js';
import { DashboardHub, FINISHED_RUNS_KEPT, FINISHED_RUNS_WITH_REPORTS } from './dashboard-hub.js';
import { EventStream, MAX_PENDING_OUTPUT_CHARS, MAX_UNSENT_BYTES } from './event-stream.js';

/** A response that records what is written, and how much is "unsent" when asked. */
class FakeResponse extends EventEmitter {
  readonly written: string[] = [];
  writableLength = 0;
  destroyed = false;
  writeHead(): this {
    return this;
  }
  write(text: string): boolean {
    this.written.push(text);
    return true;
  }
  end(): void {
    this.emit('close');
  }
  destroy(): void {
    this.destroyed = true;
  }
  events(): DashboardEvent[] {
    return this.written
      .filter((text) => text.startsWith('data: '))
      .flatMap((text) => JSON.parse(text.slice('data: '.length)) as DashboardEvent[]);
  }
}

function setUp() {
  const hub = new DashboardHub(new CapacityGate(2), new CapacityGate(2));
  const run = hub.register(
    {
      runId: 'run-1',
      suite: 's',
      client: 'tenant-a',
      owner: 'tenant-a',
      image: 'i',
      files: ['a.feature', 'b.feature'],
      startedAt: 0,
      cancel: () => undefined,
    },
    false,
  );
  const response = new FakeResponse();
  const stream = new EventStream(
    response as unknown as ServerResponse,
    hub,
    { tenant: 'tenant-a', tenancy: true },
    'run-1',
    0,
  );
  return { hub, run, response, stream };
}

const started = (fileIndex: number): ServerMessage => ({
  type: 'file-started',
  runId: 'run-1',
  fileIndex,
  file: 'x',
  attempt: 1,
  containerId: 'c',
});

test('events between flushes go out as one batch, each file once in its latest state', () => {
  const { hub, response, stream } = setUp();
  hub.observe('run-1', started(0));
  hub.observe('run-1', started(1));
  hub.output('run-1', 0, 'hello ');
  hub.output('run-1', 0, 'world');
  hub.output('run-1', 1, 'not the open tail');
  stream.flush();
  const events = response.events();
  const files = events.filter((event) => event.type === 'files');
  assert.equal(files.length, 1);
  assert.deepEqual(files[0]?.type === 'files' ? files[0].files.map((file) => [file.index, file.state]) : [], [
    [0, 'running'],
    [1, 'running'],
  ]);
  assert.deepEqual(
    events.filter((event) => event.type === 'output'),
    [{ type: 'output', runId: 'run-1', fileIndex: 0, text: 'hello world' }],
  );
  stream.close();
});

test('a stream that falls behind drops what it holds and asks for a resync, within its bound', () => {
  const { hub, response, stream } = setUp();
  hub.observe('run-1', started(0));
  for (let i = 0; i < 10; i++) hub.output('run-1', 0, 'x'.repeat(MAX_PENDING_OUTPUT_CHARS / 4));
  stream.flush();
  const events = response.events();
  assert.ok(events.some((event) => event.type === 'resync'));
  const sent = events.filter((event) => event.type === 'output').reduce((sum, event) => sum + event.text.length, 0);
  assert.ok(sent <= MAX_PENDING_OUTPUT_CHARS, `held at most its bound (${sent})`);
  stream.close();
});

test("a browser that stops reading is disconnected, not buffered for: the hub's calls stay cheap", () => {
  const { hub, response, stream } = setUp();
  response.writableLength = MAX_UNSENT_BYTES + 1;
  hub.observe('run-1', started(0));
  stream.flush();
  assert.equal(response.destroyed, true);
  // After the close the hub no longer tells it anything.
  hub.observe('run-1', started(1));
  assert.equal(response.events().length, 0);
});

test("another tenant's stream hears only that the run exists, never its files or output", () => {
  const { hub } = setUp();
  const response = new FakeResponse();
  const stream = new EventStream(
    response as unknown as ServerResponse,
    hub,
    { tenant: 'tenant-b', tenancy: true },
    'run-1',
    0,
  );
  hub.observe('run-1', started(0));
  hub.output('run-1', 0, 'secret');
  stream.flush();
  const events = response.events();
  assert.equal(events.filter((event) => event.type === 'files' || event.type === 'output').length, 0);
  const run = events.find((event) => event.type === 'run');
  assert.equal(run?.type === 'run' ? run.summary.suite : undefined, 'another tenant');
  stream.close();
});

test('the hub keeps reports for the newest runs that ended, and a bounded number of ended runs at all', () => {
  const hub = new DashboardHub(new CapacityGate(2), new CapacityGate(2));
  const ids = Array.from({ length: FINISHED_RUNS_KEPT + 1 }, (_, i) => `run-${i}`);
  for (const runId of ids) {
    hub.register(
      { runId, suite: 's', client: 'c', owner: 'c', image: 'i', files: [], startedAt: 0, cancel: () => undefined },
      false,
    );
    hub.observe(runId, {
      type: 'run-finished',
      runId,
      status: 'passed',
      totals: { files: 0, passed: 0, failed: 0, timedOut: 0, cancelled: 0, error: 0, oom: 0, flaky: 0, notRun: 0 },
      wallTimeMs: 1,
    });
  }
  assert.equal(hub.run('run-0'), undefined, 'the oldest ended run is no longer kept');
  const newest = ids.slice(-FINISHED_RUNS_WITH_REPORTS);
  for (const runId of ids.slice(1)) {
    assert.equal(hub.run(runId)?.messagesDropped === undefined, newest.includes(runId), runId);
  }
});
