import { settingsFromLimits } from '../backend/container-backend.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BaleenError, type FileFinishedMessage, type ServerMessage } from '@baleen/protocol';
import { silentLogger } from '../log/logger.js';
import { FakeBackend, type FakeBehaviour } from '../testing/fake-backend.js';
import { CapacityGate } from './capacity-gate.js';
import { executeRun } from './execute-run.js';
import { Sweeper } from '../reaper/sweeper.js';
import type { RunPlan } from './run-plan.js';
import type { SchedulingHistory } from './execute-run.js';
import { parseTargets, scriptedCucumberRun } from '../testing/scripted-cucumber.js';

function plan(files: string[], overrides: Partial<RunPlan> = {}): RunPlan {
  return {
    runId: 'run-test',
    serverId: 'srv-test',
    owner: 'run-test',
    image: 'img:latest',
    suite: 'img',
    client: 'test',
    files,
    order: 'given',
    seed: 1,
    packMs: undefined,
    split: 'auto',
    command: ['cucumber-js'],
    cucumber: undefined,
    scenarios: [],
    workDir: undefined,
    timeoutMs: 10_000,
    concurrency: 2,
    env: { GREETING: 'hi' },
    beforeCommand: undefined,
    maxOutputBytes: 1024,
    retries: 0,
    failFast: false,
    container: settingsFromLimits({ pidsLimit: 100, memoryBytes: 1 << 30, network: 'none' }),
    pull: 'missing',
    prepare: undefined,
    ...overrides,
  };
}

/** A cucumber run: each file runs behind the in-container runner, with its channel. */
const CUCUMBER: Partial<RunPlan> = {
  command: undefined,
  cucumber: { bin: 'node_modules/.bin/cucumber-js', args: [], suitePaths: ['features'] },
};

async function execute(
  files: string[],
  behaviour: (file: string, context: { targets: readonly string[] }) => FakeBehaviour,
  options: {
    plan?: Partial<RunPlan>;
    capacity?: number;
    startConcurrency?: number;
    signal?: AbortSignal;
    history?: SchedulingHistory;
  } = {},
) {
  const backend = new FakeBackend(behaviour);
  const events: ServerMessage[] = [];
  const finished = await executeRun(
    plan(files, options.plan),
    {
      backend,
      gate: new CapacityGate(options.capacity ?? 8),
      ...(options.startConcurrency === undefined ? {} : { startGate: new CapacityGate(options.startConcurrency) }),
      log: silentLogger(),
      sweeper: new Sweeper(backend, 'srv-test', silentLogger()),
      emit: (e) => events.push(e),
      ...(options.history === undefined ? {} : { history: options.history }),
    },
    options.signal ?? new AbortController().signal,
  );
  return { backend, events, finished };
}

describe('executeRun (scheduler, with a fake backend)', () => {
  it('never runs more than the run’s concurrency at once', async () => {
    const files = Array.from({ length: 10 }, (_, i) => `f${i}.feature`);
    const { backend, finished } = await execute(files, () => ({ durationMs: 20 }), { plan: { concurrency: 3 } });
    assert.equal(backend.maxRunning, 3);
    assert.equal(finished.totals.passed, 10);
    assert.equal(finished.status, 'passed');
  });

  it('never runs more than the server’s capacity, whatever the run asks', async () => {
    const files = Array.from({ length: 8 }, (_, i) => `f${i}.feature`);
    const { backend } = await execute(files, () => ({ durationMs: 20 }), { plan: { concurrency: 8 }, capacity: 2 });
    assert.equal(backend.maxRunning, 2);
  });

  it('the start gate bounds start-ups, not running containers: a started container gives its start slot back', async () => {
    const files = Array.from({ length: 4 }, (_, i) => `f${i}.feature`);
    const { backend, finished } = await execute(files, () => ({ durationMs: 60 }), {
      plan: { concurrency: 4 },
      startConcurrency: 1,
    });
    assert.equal(backend.maxRunning, 4);
    assert.equal(finished.totals.passed, 4);
  });

  it('a cucumber file holds its start slot until its run has begun (testRunStarted), then the next starts', async () => {
    const files = ['a.feature', 'b.feature', 'c.feature'];
    const { backend, finished } = await execute(files, () => ({ durationMs: 300, runStartedAfterMs: 60 }), {
      plan: { concurrency: 3, ...CUCUMBER },
      startConcurrency: 1,
    });
    const starts = backend.started.map((s) => s.at);
    for (let i = 1; i < starts.length; i++) {
      assert.ok(
        (starts[i] ?? 0) - (starts[i - 1] ?? 0) >= 55,
        `start ${i} came ${(starts[i] ?? 0) - (starts[i - 1] ?? 0)} ms after the one before`,
      );
    }
    assert.equal(backend.maxRunning, 3, 'all three run together once started');
    assert.equal(finished.status, 'failed', 'exit 0 without finishing cucumber is still a failure');
  });

  it('is a rolling pool: a slot freed by a short file is taken at once, not after a batch', async () => {
    // long.feature holds one slot for 300 ms; with two slots the short files must flow through the other.
    const files = ['long.feature', 's1.feature', 's2.feature', 's3.feature', 's4.feature'];
    const { backend } = await execute(files, (f) => ({ durationMs: f === 'long.feature' ? 300 : 30 }), {
      plan: { concurrency: 2 },
    });
    const longEnd = backend.finished.find((f) => f.file === 'long.feature')?.at ?? 0;
    const shortStartsBeforeLongEnds = backend.started.filter((s) => s.file !== 'long.feature' && s.at < longEnd).length;
    assert.equal(shortStartsBeforeLongEnds, 4);
  });

  it('reports every file exactly once with its status, and counts them in the totals', async () => {
    const files = ['pass.feature', 'fail.feature', 'broken.feature'];
    const { events, finished } = await execute(files, (f) => {
      if (f === 'fail.feature') return { durationMs: 5, exitCode: 1, stdout: 'assertion failed' };
      if (f === 'broken.feature')
        return { durationMs: 5, fail: new BaleenError('CONTAINER_FAILED', 'could not start') };
      return { durationMs: 5 };
    });
    const results = events.filter((e): e is FileFinishedMessage => e.type === 'file-finished');
    assert.deepEqual(results.map((r) => [r.file, r.status]).sort(), [
      ['broken.feature', 'error'],
      ['fail.feature', 'failed'],
      ['pass.feature', 'passed'],
    ]);
    assert.equal(results.find((r) => r.file === 'fail.feature')?.stdout, 'assertion failed');
    assert.equal(results.find((r) => r.file === 'broken.feature')?.error?.code, 'CONTAINER_FAILED');
    assert.deepEqual(finished.totals, {
      files: 3,
      passed: 1,
      failed: 1,
      timedOut: 0,
      cancelled: 0,
      error: 1,
      flaky: 0,
      notRun: 0,
      oom: 0,
    });
    assert.equal(finished.status, 'failed');
  });

  it('kills a file at its deadline and reports it timed-out', async () => {
    const { events, finished } = await execute(['slow.feature'], () => ({ durationMs: 5_000 }), {
      plan: { timeoutMs: 50 },
    });
    const result = events.find((e): e is FileFinishedMessage => e.type === 'file-finished');
    assert.equal(result?.status, 'timed-out');
    assert.equal(result?.error?.code, 'TIMED_OUT');
    assert.equal(finished.totals.timedOut, 1);
  });

  it('cancels running and queued files when the run is cancelled', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const files = ['a.feature', 'b.feature', 'c.feature'];
    const { finished, events } = await execute(files, () => ({ durationMs: 5_000 }), {
      plan: { concurrency: 1 },
      signal: controller.signal,
    });
    assert.equal(finished.status, 'cancelled');
    assert.equal(finished.totals.cancelled, 3);
    const results = events.filter((e): e is FileFinishedMessage => e.type === 'file-finished');
    assert.equal(results.filter((r) => r.containerId === null).length, 2, 'two files never got a container');
  });

  it('gives each container its place in the run and the labels that let a sweep find it', async () => {
    const { backend } = await execute(['a.feature', 'b.feature'], () => ({ durationMs: 1 }));
    const spec = backend.specs.find((s) => s.env['BALEEN_FILE'] === 'b.feature');
    assert.deepEqual(
      { ...spec?.env },
      {
        GREETING: 'hi',
        BALEEN_RUN_ID: 'run-test',
        BALEEN_FILE: 'b.feature',
        BALEEN_INDEX: '1',
        BALEEN_TOTAL: '2',
        BALEEN_ATTEMPT: '1',
      },
    );
    // The session label comes from the environment of whoever runs the tests (scripts/run-tests.mjs sets one).
    const labels = { ...spec?.labels };
    delete labels['baleen.session'];
    assert.deepEqual(labels, {
      'baleen.managed': 'true',
      'baleen.server': 'srv-test',
      'baleen.run': 'run-test',
      'baleen.file': 'b.feature',
      'baleen.index': '1',
      'baleen.attempt': '1',
    });
    assert.deepEqual(spec?.argv, ['cucumber-js', 'b.feature']);
    assert.equal(backend.removedSweeps, 1, 'the run sweeps its label afterwards');
  });

  it('ends the run with one clear error when the image is missing, running nothing', async () => {
    const backend = new FakeBackend(() => ({ durationMs: 1 }));
    backend.imageMissing = true;
    const finished = await executeRun(
      plan(['a.feature']),
      { backend, gate: new CapacityGate(2), log: silentLogger(), emit: () => {} },
      new AbortController().signal,
    );
    assert.equal(finished.status, 'error');
    assert.equal(finished.error?.code, 'IMAGE_NOT_FOUND');
    assert.equal(finished.totals.notRun, 1);
    assert.equal(backend.specs.length, 0);
  });

  it('retries a failed file in a fresh container and counts it flaky when a later attempt passes', async () => {
    let calls = 0;
    const { events, finished, backend } = await execute(
      ['flaky.feature', 'bad.feature'],
      (f) => {
        if (f === 'flaky.feature') return { durationMs: 1, exitCode: calls++ === 0 ? 1 : 0 };
        return { durationMs: 1, exitCode: 1 };
      },
      { plan: { retries: 2 } },
    );
    const results = events.filter((e): e is FileFinishedMessage => e.type === 'file-finished');
    assert.deepEqual(
      results.filter((r) => r.file === 'flaky.feature').map((r) => [r.attempt, r.status, r.willRetry ?? false]),
      [
        [1, 'failed', true],
        [2, 'passed', false],
      ],
    );
    assert.deepEqual(
      results.filter((r) => r.file === 'bad.feature').map((r) => [r.attempt, r.status, r.willRetry ?? false]),
      [
        [1, 'failed', true],
        [2, 'failed', true],
        [3, 'failed', false],
      ],
    );
    assert.equal(finished.totals.flaky, 1);
    assert.equal(finished.totals.failed, 1);
    assert.equal(finished.totals.passed, 0);
    const attempts = backend.specs
      .filter((s) => s.env['BALEEN_FILE'] === 'bad.feature')
      .map((s) => s.env['BALEEN_ATTEMPT']);
    assert.deepEqual(attempts, ['1', '2', '3']);
  });

  it('--fail-fast: the first failure stops running files and cancels queued ones, saying why', async () => {
    const files = ['fail.feature', 'long.feature', 'q1.feature', 'q2.feature'];
    const { events, finished } = await execute(
      files,
      (f) => (f === 'fail.feature' ? { durationMs: 20, exitCode: 1 } : { durationMs: 5_000 }),
      { plan: { failFast: true, concurrency: 2 } },
    );
    const results = events.filter((e): e is FileFinishedMessage => e.type === 'file-finished');
    assert.equal(finished.status, 'failed');
    assert.equal(finished.totals.failed, 1);
    assert.equal(finished.totals.cancelled, 3);
    const queued = results.find((r) => r.file === 'q2.feature');
    assert.match(queued?.error?.message ?? '', /not run: --fail-fast stopped the run after fail\.feature failed/);
    assert.match(
      results.find((r) => r.file === 'long.feature')?.error?.message ?? '',
      /stopped while running: --fail-fast/,
    );
  });

  it('turns the runner’s channel into live scenario results, and keeps stderr text as the steps wrote it', async () => {
    const envelopes = [
      {
        testCase: {
          id: 'tc1',
          pickleId: 'p1',
          testSteps: [
            { id: 's1', pickleStepId: 'ps1' },
            { id: 'h1', hookId: 'hook' },
          ],
        },
      },
      { pickle: { id: 'p1', name: 'Adds up', uri: 'a.feature', astNodeIds: ['n1'] } },
      { testRunStarted: { timestamp: { seconds: 0, nanos: 0 } } },
      { testCaseStarted: { id: 'tcs1', testCaseId: 'tc1', attempt: 0, timestamp: { seconds: 1, nanos: 0 } } },
      {
        testStepFinished: {
          testCaseStartedId: 'tcs1',
          testStepId: 's1',
          testStepResult: { status: 'FAILED', message: 'boom' },
        },
      },
      { testStepFinished: { testCaseStartedId: 'tcs1', testStepId: 'h1', testStepResult: { status: 'PASSED' } } },
      {
        testCaseFinished: {
          testCaseStartedId: 'tcs1',
          timestamp: { seconds: 1, nanos: 500_000_000 },
          willBeRetried: false,
        },
      },
      { testRunFinished: { success: false, timestamp: { seconds: 2, nanos: 0 } } },
    ];
    const { events } = await execute(
      ['a.feature'],
      () => ({ durationMs: 1, exitCode: 1, stderr: 'warning: a step wrote this\npartial', messages: envelopes }),
      { plan: CUCUMBER },
    );
    const scenario = events.find((e) => e.type === 'scenario-finished');
    assert.equal(scenario?.name, 'Adds up');
    assert.equal(scenario?.status, 'failed');
    assert.equal(scenario?.durationMs, 500);
    assert.equal(scenario?.errorMessage, 'boom');
    const messages = events.find((e) => e.type === 'file-messages');
    assert.equal(messages?.ndjson.trim().split('\n').length, envelopes.length, 'only cucumber’s envelopes are kept');
    const result = events.find((e): e is FileFinishedMessage => e.type === 'file-finished');
    assert.equal(result?.stderr, 'warning: a step wrote this\npartial');
    assert.equal(result?.status, 'failed');
    assert.equal(result?.error, undefined, 'a failing scenario needs no further explanation');
    assert.equal(result?.scenarios?.failed, 1);
    assert.equal(result?.steps?.failed, 1, 'hooks are not counted as steps');
  });

  it('names the expected scenarios a file that exited 0 never ran, as INCOMPLETE', async () => {
    const { events } = await execute(
      ['a.feature'],
      () => ({ durationMs: 1, exitCode: 0, messages: [{ testRunStarted: { timestamp: { seconds: 0, nanos: 0 } } }] }),
      { plan: { ...CUCUMBER, scenarios: [{ scenarios: [{ line: 3, name: 'Never runs' }], byLine: false }] } },
    );
    const result = events.find((e): e is FileFinishedMessage => e.type === 'file-finished');
    assert.equal(result?.status, 'failed');
    assert.equal(result?.error?.code, 'INCOMPLETE');
    assert.match(result?.error?.message ?? '', /a\.feature:3 \(Never runs\)/);
    assert.deepEqual(result?.missing, [{ line: 3, name: 'Never runs' }]);
    assert.equal(result?.scenarios?.unfinished, 1);
  });

  it('reports what the runner says it could not do as an error with its code, not as a failed test', async () => {
    const message = 'the image has cucumber 6.0.5; Baleen needs @cucumber/cucumber 7 or later';
    const { events } = await execute(
      ['a.feature'],
      () => ({ durationMs: 1, exitCode: 70, messages: [{ baleen: { error: { code: 'CUCUMBER_TOO_OLD', message } } }] }),
      { plan: CUCUMBER },
    );
    const result = events.find((e): e is FileFinishedMessage => e.type === 'file-finished');
    assert.equal(result?.status, 'error');
    assert.deepEqual(result?.error, { code: 'CUCUMBER_TOO_OLD', message });
  });

  it('stops the run at the first error every file would meet (cucumber too old), with that one error', async () => {
    const message = 'the image has cucumber 6.0.7; Baleen needs @cucumber/cucumber 7 or later';
    const { backend, finished, events } = await execute(
      ['a.feature', 'b.feature', 'c.feature'],
      () => ({ durationMs: 1, exitCode: 70, messages: [{ baleen: { error: { code: 'CUCUMBER_TOO_OLD', message } } }] }),
      { plan: { ...CUCUMBER, concurrency: 1 } },
    );
    assert.equal(finished.status, 'error');
    assert.deepEqual(finished.error, { code: 'CUCUMBER_TOO_OLD', message });
    assert.equal(backend.specs.length, 1, 'one container found it out; the others never started');
    assert.equal(events.filter((e) => e.type === 'file-finished').length, 3, 'every file is still reported');
  });

  it('tells a broken channel from unfinished scenarios: an error of Baleen’s, named', async () => {
    const { events } = await execute(
      ['a.feature'],
      // The hello is frame 0; a gap before the next frame is a lost frame.
      () => ({ durationMs: 1, exitCode: 0, rawChannel: (marker) => `${marker}7={"testRunStarted":{}}\n` }),
      { plan: CUCUMBER },
    );
    const result = events.find((e): e is FileFinishedMessage => e.type === 'file-finished');
    assert.equal(result?.status, 'error');
    assert.equal(result?.error?.code, 'CHANNEL_BROKEN');
  });

  describe('packs and chunks (cucumber)', () => {
    const lines = [3, 7];
    const planned = (count: number) =>
      Array.from({ length: count }, () => ({
        scenarios: lines.map((line) => ({ line, name: `line ${line}` })),
        byLine: false,
      }));
    const history = (
      estimates: Record<string, [number, number]>,
      scenarioMs: Record<number, number> = {},
    ): SchedulingHistory => ({
      source: 'server',
      fileEstimates: () =>
        new Map(Object.entries(estimates).map(([file, [durationMs, startupMs]]) => [file, { durationMs, startupMs }])),
      scenarioEstimates: () => new Map(Object.entries(scenarioMs).map(([line, ms]) => [Number(line), ms])),
    });
    /** A container that runs its targets as cucumber would, failing the scenarios named in `failing`. */
    const cucumberLike =
      (failing: ReadonlySet<string> = new Set(), durationMs = 5) =>
      (_file: string, { targets }: { targets: readonly string[] }): FakeBehaviour => {
        const files = parseTargets(targets, () => lines).map(({ file, lines: ran }) => ({
          file,
          scenarios: ran.map((line) => ({
            line,
            status: failing.has(`${file}:${line}`) ? ('FAILED' as const) : ('PASSED' as const),
          })),
        }));
        const failed = files.some((file) => file.scenarios.some((scenario) => scenario.status === 'FAILED'));
        return { durationMs, exitCode: failed ? 1 : 0, messages: scriptedCucumberRun(files) };
      };
    const finishedOf = (events: ServerMessage[]) =>
      events.filter((e): e is FileFinishedMessage => e.type === 'file-finished' && e.willRetry !== true);

    it('runs a pack of files in one container and reports each file on its own', async () => {
      const files = ['a.feature', 'b.feature', 'c.feature'];
      const { backend, events, finished } = await execute(files, cucumberLike(new Set(['b.feature:7'])), {
        plan: { ...CUCUMBER, scenarios: planned(3), packMs: 60_000, concurrency: 1 },
        history: history({ 'a.feature': [2000, 1500], 'b.feature': [2000, 1500], 'c.feature': [2000, 1500] }),
      });
      assert.equal(backend.specs.length, 1, 'one container for the three files');
      const results = finishedOf(events);
      assert.deepEqual(
        results.map((r) => [r.file, r.status, r.scenarios?.passed, r.scenarios?.failed, r.pack?.files]),
        [
          ['a.feature', 'passed', 2, 0, 3],
          ['b.feature', 'failed', 1, 1, 3],
          ['c.feature', 'passed', 2, 0, 3],
        ],
      );
      assert.deepEqual(finished.totals, { ...finished.totals, passed: 2, failed: 1 });
      const messages = events.filter((e) => e.type === 'file-messages');
      assert.equal(messages.length, 3);
      for (const message of messages) {
        const uris = [...message.ndjson.matchAll(/"uri":"([^"]+)"/g)].map((match) => match[1]);
        assert.deepEqual([...new Set(uris)], [files[message.fileIndex]], 'each file’s stream holds only that file');
      }
      const planned_ = events.find((e) => e.type === 'run-planned');
      assert.equal(planned_?.packs, 1);
    });

    it('splits a long file into chunks, starts it once and reports it once, merged', async () => {
      const { backend, events } = await execute(['long.feature', 'short.feature'], cucumberLike(), {
        plan: { ...CUCUMBER, scenarios: planned(2), concurrency: 2 },
        history: history({ 'long.feature': [20_000, 500], 'short.feature': [1_000, 500] }, { 3: 10_000, 7: 9_000 }),
      });
      assert.equal(backend.specs.length, 3, 'two chunks and the short file');
      const targets = backend.specs
        .map((spec) => spec.argv.find((arg) => arg.startsWith('{')))
        .map((config) => (JSON.parse(config ?? '{}') as { targets: string[] }).targets);
      assert.deepEqual(targets.flat().sort(), ['long.feature:3', 'long.feature:7', 'short.feature']);
      assert.equal(events.filter((e) => e.type === 'file-started' && e.file === 'long.feature').length, 1);
      const long = finishedOf(events).filter((r) => r.file === 'long.feature');
      assert.equal(long.length, 1);
      assert.equal(long[0]?.chunks, 2);
      assert.equal(long[0]?.scenarios?.passed, 2);
      assert.equal(
        events.filter((e) => e.type === 'file-messages' && e.fileIndex === 0 && e.chunk !== undefined).length,
        2,
      );
    });

    it('retries only the chunks of a split file that failed', async () => {
      let attempts = 0;
      const flaky = (file: string, context: { targets: readonly string[] }): FakeBehaviour => {
        const failing =
          context.targets.includes('long.feature:7') && attempts++ === 0
            ? new Set(['long.feature:7'])
            : new Set<string>();
        return cucumberLike(failing)(file, context);
      };
      const { backend, events } = await execute(['long.feature', 'short.feature'], flaky, {
        plan: { ...CUCUMBER, scenarios: planned(2), concurrency: 2, retries: 1 },
        history: history({ 'long.feature': [20_000, 500], 'short.feature': [1_000, 500] }, { 3: 10_000, 7: 9_000 }),
      });
      assert.equal(backend.specs.length, 4, 'the failed chunk ran again, the passed one did not');
      const long = finishedOf(events).find((r) => r.file === 'long.feature');
      assert.equal(long?.status, 'passed');
      assert.equal(long?.attempt, 2);
    });

    it('a pack stopped at its deadline keeps what finished, and runs again the files it never reached', async () => {
      const files = ['a.feature', 'b.feature', 'c.feature'];
      // The first container (the pack) hangs after a.feature; later ones (c alone, b... ) finish quickly.
      const { events, backend } = await execute(
        files,
        (file, context) => {
          if (context.targets.length === 3) {
            // a.feature ran whole; the container was killed in b.feature's first scenario, before c.feature.
            const all = scriptedCucumberRun(
              ['a.feature', 'b.feature', 'c.feature'].map((file) => ({
                file,
                scenarios: lines.map((line) => ({ line, status: 'PASSED' as const })),
              })),
              { finish: false },
            );
            const cut = all.findIndex((envelope) => JSON.stringify(envelope).includes('"tcs:b.feature:3"')) + 1;
            return { durationMs: 10_000, messages: all.slice(0, cut) };
          }
          return cucumberLike()(file, context);
        },
        {
          plan: { ...CUCUMBER, scenarios: planned(3), packMs: 60_000, concurrency: 1, timeoutMs: 50 },
          history: history({ 'a.feature': [2000, 1500], 'b.feature': [2000, 1500], 'c.feature': [2000, 1500] }),
        },
      );
      const results = finishedOf(events);
      assert.deepEqual(results.map((r) => [r.file, r.status]).sort(), [
        ['a.feature', 'passed'],
        ['b.feature', 'timed-out'],
        ['c.feature', 'passed'],
      ]);
      assert.equal(backend.specs.length, 2, 'c.feature, never reached, ran again alone');
    });
  });
});
