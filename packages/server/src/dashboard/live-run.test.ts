import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ServerMessage } from '@baleen/protocol';
import { LiveRun, MAX_MESSAGE_CHARS_PER_RUN, MAX_SCENARIOS_KEPT, OUTPUT_TAIL_CHARS } from './live-run.js';

function run(cucumber = true): LiveRun {
  const live = new LiveRun({
    runId: 'run-1',
    suite: 'suite',
    client: 'tenant-a',
    owner: 'tenant-a',
    image: 'img',
    files: ['a.feature', 'b.feature'],
    startedAt: 0,
    cancel: () => undefined,
  });
  live.cucumberRun = cucumber;
  return live;
}

const started = (fileIndex: number, attempt = 1): ServerMessage => ({
  type: 'file-started',
  runId: 'run-1',
  fileIndex,
  file: `${fileIndex === 0 ? 'a' : 'b'}.feature`,
  attempt,
  containerId: `c${fileIndex}${attempt}`,
});

const finished = (fileIndex: number, status: 'passed' | 'failed', willRetry = false): ServerMessage => ({
  type: 'file-finished',
  runId: 'run-1',
  fileIndex,
  file: `${fileIndex === 0 ? 'a' : 'b'}.feature`,
  attempt: 1,
  status,
  exitCode: status === 'passed' ? 0 : 1,
  durationMs: 1200,
  containerId: 'c01',
  stdout: 'the whole output',
  stderr: '',
  stdoutTruncated: false,
  stderrTruncated: false,
  ...(willRetry ? { willRetry: true } : {}),
});

const scenario = (fileIndex: number, status: 'passed' | 'failed', name = 's'): ServerMessage => ({
  type: 'scenario-finished',
  runId: 'run-1',
  fileIndex,
  file: 'a.feature',
  attempt: 1,
  name,
  uri: 'a.feature',
  line: 3,
  status,
  durationMs: 5,
  ...(status === 'failed' ? { errorMessage: 'boom' } : {}),
});

test('a cucumber file goes queued → starting → running (its first scenario) → its status', () => {
  const live = run();
  assert.equal(live.files[0]?.state, 'queued');
  live.observe(started(0));
  assert.equal(live.files[0]?.state, 'starting');
  live.observe(scenario(0, 'passed'));
  assert.equal(live.files[0]?.state, 'running');
  live.observe(finished(0, 'failed'));
  assert.equal(live.files[0]?.state, 'failed');
  assert.deepEqual(live.progress(), {
    done: 1,
    running: 0,
    starting: 0,
    queued: 1,
    scenariosPassed: 1,
    scenariosFailed: 0,
  });
});

test('another runner is running as soon as its container is; a retried attempt goes back to the queue', () => {
  const live = run(false);
  live.observe(started(1));
  assert.equal(live.files[1]?.state, 'running');
  live.observe(finished(1, 'failed', true));
  assert.equal(live.files[1]?.state, 'queued');
  live.observe(started(1, 2));
  assert.equal(live.files[1]?.attempt, 2);
});

test("a running file's output tail is bounded; a finished file keeps what its result carried", () => {
  const live = run();
  assert.equal(live.output(0, 'not started yet'), false, 'no tail before the container starts');
  live.observe(started(0));
  live.output(0, 'x'.repeat(OUTPUT_TAIL_CHARS + 100));
  live.output(0, 'END');
  const tail = live.tail(0);
  assert.equal(tail?.text.length, OUTPUT_TAIL_CHARS);
  assert.ok(tail?.text.endsWith('END'));
  assert.equal(tail?.live, true);
  live.observe(finished(0, 'passed'));
  assert.equal(live.tail(0)?.text, 'the whole output');
  assert.equal(live.tail(0)?.live, false);
});

test('scenarios kept are bounded, and a failure still gets in when they are full', () => {
  const live = run();
  for (let i = 0; i < MAX_SCENARIOS_KEPT + 5; i++) live.observe(scenario(0, 'passed'));
  live.observe(scenario(0, 'failed', 'the failure'));
  const detail = live.detail(true, 0);
  assert.equal(detail.scenarios.length, MAX_SCENARIOS_KEPT);
  assert.equal(detail.scenarios.at(-1)?.name, 'the failure');
  assert.equal(detail.scenariosDropped, 6);
  assert.equal(detail.summary.progress.scenariosPassed, MAX_SCENARIOS_KEPT + 5, 'every result still counts');
});

test('the messages kept for reports are bounded per run; past the bound the run says why', () => {
  const live = run();
  const messages = (fileIndex: number, chars: number): ServerMessage => ({
    type: 'file-messages',
    runId: 'run-1',
    fileIndex,
    attempt: 1,
    ndjson: 'x'.repeat(chars),
    truncated: false,
  });
  live.observe(messages(0, 1000));
  assert.equal(live.messages.get(0)?.get(0)?.length, 1000);
  live.observe(messages(1, MAX_MESSAGE_CHARS_PER_RUN));
  assert.equal(live.messages.size, 0);
  assert.match(live.messagesDropped ?? '', /MiB the dashboard keeps per run/);
});
