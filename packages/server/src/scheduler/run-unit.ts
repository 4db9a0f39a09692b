import {
  assertNever,
  BaleenError,
  type FileFinishedMessage,
  type FileStartedMessage,
  type ServerMessage,
} from '@baleen/protocol';
import { classifyOutcome, endingOf, engineAnswers, stoppedFromOutside, type Ending } from './classify-outcome.js';
import type { ContainerBackend, ContainerOutcome, VolumeMount } from '../backend/container-backend.js';
import { commandForFile, withBeforeCommand } from '../backend/container-command.js';
import { fileContainerLabels } from '../backend/container-labels.js';
import { cucumberRunnerCall } from '../cucumber/runner-command.js';
import { CucumberAttempt } from '../results/cucumber-attempt.js';
import type { CapacityGate } from './capacity-gate.js';
import type { WorkUnit } from './plan-units.js';
import type { RunPlan } from './run-plan.js';

export interface UnitAttempt {
  plan: RunPlan;
  unit: WorkUnit;
  /** The attempt each file of the unit is at (1 for the first). */
  attemptOf: (index: number) => number;
}

export interface RunUnitDeps {
  backend: ContainerBackend;
  gate: CapacityGate;
  /**
   * Bounds the containers starting up at once (created and started, and for cucumber until its run has begun).
   * Without it, a burst of start-ups shares the CPU and every container, the longest first, starts late.
   */
  startGate?: CapacityGate;
  /** scenario-finished and file-messages, as they happen. */
  emit: (message: ServerMessage) => void;
  /** file-started of one file of the unit (a chunk's first start is its file's). */
  onFileStarted: (message: FileStartedMessage) => void;
  /** Why a file was stopped or never started when the run's signal aborted. */
  cancelReason: () => string;
  /** Seconds from getting a slot to the container running. */
  observeStartLatency?: (seconds: number) => void;
  /** Volumes of the run every test container gets (the prepare stage's `/job`). */
  mounts?: VolumeMount[];
  /** A container's output as it comes, for each file it runs (a live tail); the kept output is unchanged. */
  onOutput?: (fileIndex: number, stream: 'stdout' | 'stderr', chunk: Buffer | string) => void;
}

/** One file's part of a unit's outcome. */
export interface UnitFileResult {
  result: FileFinishedMessage;
  /** For a chunk: which part of its file this was. */
  chunk?: { part: number; parts: number };
  /** performance.now() of the container's start (or of the slot, if it never started) and of its end. */
  startedAt: number;
  endedAt: number;
}

export interface UnitOutcome {
  files: UnitFileResult[];
  /** Files of a pack that never started: the container ended before cucumber reached them. They run again. */
  notReached: number[];
}

const NO_OUTPUT = { text: '', truncated: false, totalBytes: 0 };

/** Longest a container holds its start-up slot once it runs, for a runner that never says it began. */
export const MAX_START_HOLD_MS = 5_000;

/** The files of a unit, by index. */
export function unitIndexes(unit: WorkUnit): number[] {
  return unit.kind === 'pack' ? unit.indexes : [unit.index];
}

/** The environment every test container gets, so a test knows where it stands in the run. */
function baleenEnv({ plan, unit, attemptOf }: UnitAttempt): Record<string, string> {
  const indexes = unitIndexes(unit);
  const first = indexes[0] ?? 0;
  return {
    BALEEN_RUN_ID: plan.runId,
    ...(plan.traceparent === undefined ? {} : { TRACEPARENT: plan.traceparent }),
    BALEEN_FILE: plan.files[first] ?? '',
    BALEEN_INDEX: String(first),
    BALEEN_TOTAL: String(plan.files.length),
    BALEEN_ATTEMPT: String(attemptOf(first)),
    ...(unit.kind === 'pack' ? { BALEEN_PACK: String(indexes.length) } : {}),
    ...(unit.kind === 'chunk' ? { BALEEN_CHUNK: `${unit.part}/${unit.parts}` } : {}),
  };
}

/** cucumber's path for a file of this unit: the file, or the lines it must run. */
function targetOf(plan: RunPlan, unit: WorkUnit, index: number): string {
  const file = plan.files[index] ?? '';
  const planned = plan.scenarios[index];
  const lines =
    unit.kind === 'chunk'
      ? unit.lines
      : planned?.byLine === true
        ? planned.scenarios.map((scenario) => scenario.line)
        : [];
  return lines.length === 0 ? file : `${file}:${lines.join(':')}`;
}

/** The test command of one unit: any runner's argv, or cucumber-js behind Baleen's runner with its channel. */
function testCommand(
  target: UnitAttempt,
  emit: RunUnitDeps['emit'],
  onRunStarted: () => void,
): { argv: string[]; cucumber?: CucumberAttempt } {
  const { plan, unit, attemptOf } = target;
  const indexes = unitIndexes(unit);
  if (plan.cucumber === undefined)
    return { argv: commandForFile(plan.command ?? [], plan.files[indexes[0] ?? 0] ?? '') };
  const call = cucumberRunnerCall({
    bin: plan.cucumber.bin,
    args: plan.cucumber.args,
    targets: indexes.map((index) => targetOf(plan, unit, index)),
    suitePaths: plan.cucumber.suitePaths,
  });
  const byFile = new Map(indexes.map((index) => [plan.files[index] ?? '', index]));
  const cucumber = new CucumberAttempt({
    targets: indexes.map((index) => {
      const expected = plan.scenarios[index]?.scenarios;
      const lines = unit.kind === 'chunk' ? new Set(unit.lines) : undefined;
      return {
        file: plan.files[index] ?? '',
        expected: lines === undefined ? expected : expected?.filter((scenario) => lines.has(scenario.line)),
      };
    }),
    marker: call.marker,
    strict: plan.cucumber.strict ?? true,
    onScenario: (scenario) => {
      const index = byFile.get(scenario.uri) ?? indexes[0] ?? 0;
      emit({
        type: 'scenario-finished',
        runId: plan.runId,
        fileIndex: index,
        file: plan.files[index] ?? scenario.uri,
        attempt: attemptOf(index),
        ...scenario,
      });
    },
    onRunStarted,
  });
  return { argv: call.argv, cucumber };
}

/**
 * Runs one unit — a file, a pack of files, or a chunk of a file — in one container: waits for a slot of the
 * server's capacity, runs the container under the run's signal and its own deadline (the file's timeout, per file
 * of a pack, counted from when the slot was granted), and turns the outcome into each file's result. Never
 * throws: every way a container can end is a status of each of its files.
 */
export async function runUnit(target: UnitAttempt, deps: RunUnitDeps, runSignal: AbortSignal): Promise<UnitOutcome> {
  const { plan, unit, attemptOf } = target;
  const indexes = unitIndexes(unit);
  const fileOf = (index: number): string => plan.files[index] ?? '';
  let releaseStart: (() => void) | undefined;
  const startedUp = (): void => releaseStart?.();
  const test = testCommand(target, deps.emit, startedUp);
  const results = test.cucumber;
  let startedAt = performance.now();
  let containerStartedAt: number | undefined;
  const chunk = unit.kind === 'chunk' ? { part: unit.part, parts: unit.parts } : undefined;

  const resultFor = (index: number, ending: Ending, outcome: Partial<ContainerOutcome>): UnitFileResult => {
    const file = fileOf(index);
    const attempt = attemptOf(index);
    const stdout = outcome.stdout ?? NO_OUTPUT;
    const stderr = outcome.stderr ?? NO_OUTPUT;
    const messages = results?.messages(file);
    if (messages !== undefined) {
      deps.emit({
        type: 'file-messages',
        runId: plan.runId,
        fileIndex: index,
        attempt,
        ...messages,
        ...(chunk === undefined ? {} : { chunk }),
      });
    }
    const endedAt = performance.now();
    const startupMs =
      results?.runStartedAt === undefined || containerStartedAt === undefined
        ? undefined
        : Math.max(0, Math.round(results.runStartedAt - containerStartedAt));
    const runMs = results?.spanMs(file);
    return {
      result: {
        type: 'file-finished',
        runId: plan.runId,
        fileIndex: index,
        file,
        attempt,
        status: ending.status,
        exitCode: outcome.exitCode ?? null,
        // A file of a pack took its own scenarios' time; a file alone, its container's.
        durationMs: Math.round(unit.kind === 'pack' && runMs !== undefined ? runMs : endedAt - startedAt),
        containerId: outcome.containerId ?? null,
        stdout: stdout.text,
        stderr: stderr.text,
        stdoutTruncated: stdout.truncated,
        stderrTruncated: stderr.truncated,
        ...(ending.error === undefined ? {} : { error: ending.error }),
        ...results?.resultFields(file),
        ...(startupMs === undefined ? {} : { startupMs }),
        ...(runMs === undefined ? {} : { runMs }),
        ...(unit.kind === 'pack' ? { pack: { files: indexes.length } } : {}),
        ...(outcome.kept === true ? { kept: true } : {}),
        ...(outcome.node === undefined ? {} : { node: outcome.node }),
      },
      ...(chunk === undefined ? {} : { chunk }),
      startedAt: containerStartedAt ?? startedAt,
      endedAt,
    };
  };
  const every = (ending: Ending, outcome: Partial<ContainerOutcome> = {}): UnitOutcome => ({
    files: indexes.map((index) => resultFor(index, ending, outcome)),
    notReached: [],
  });
  const cancelled = (): UnitOutcome =>
    every({ status: 'cancelled', error: { code: 'CANCELLED', message: `not run: ${deps.cancelReason()}` } });

  if (runSignal.aborted) return cancelled();
  let release: (() => void) | undefined;
  try {
    release = await deps.gate.acquire(plan.owner, runSignal);
  } catch {
    return cancelled();
  }
  let holdTimer: NodeJS.Timeout | undefined;
  try {
    if (deps.startGate !== undefined) releaseStart = await deps.startGate.acquire(plan.owner, runSignal);
    const granted = performance.now();
    startedAt = granted;
    const deadlineMs = plan.timeoutMs * indexes.length;
    const deadline = AbortSignal.timeout(deadlineMs);
    const command = withBeforeCommand(test.argv, plan.beforeCommand);
    const first = indexes[0] ?? 0;
    const outcome = await deps.backend.run(
      {
        image: plan.image,
        argv: command.argv,
        workDir: plan.workDir,
        env: { ...plan.env, ...baleenEnv(target), ...command.env },
        labels: fileContainerLabels({
          serverId: plan.serverId,
          runId: plan.runId,
          file: fileOf(first),
          index: first,
          attempt: attemptOf(first),
          keep: plan.container.keep,
        }),
        maxOutputBytes: plan.maxOutputBytes,
        deadlineMs,
        settings: plan.container,
        mounts: deps.mounts ?? [],
        ...(plan.workspace === undefined ? {} : { workspace: plan.workspace }),
      },
      {
        signal: AbortSignal.any([runSignal, deadline]),
        onStarted: ({ containerId, ports, node }) => {
          containerStartedAt = performance.now();
          // Only cucumber says when its start-up ends; any other runner is started once its container runs.
          if (results === undefined) startedUp();
          else holdTimer = setTimeout(startedUp, MAX_START_HOLD_MS);
          deps.observeStartLatency?.((containerStartedAt - granted) / 1000);
          for (const index of indexes) {
            deps.onFileStarted({
              type: 'file-started',
              runId: plan.runId,
              fileIndex: index,
              file: fileOf(index),
              attempt: attemptOf(index),
              containerId,
              ...(ports.length === 0 ? {} : { ports }),
              ...(node === undefined ? {} : { node }),
              ...(unit.kind === 'pack' ? { pack: { files: indexes.length } } : {}),
              ...(unit.kind === 'chunk' ? { chunks: unit.parts } : {}),
            });
          }
        },
        ...(results === undefined ? {} : { stderrFilter: results.stderrFilter }),
        ...(deps.onOutput === undefined
          ? {}
          : {
              onOutput: (stream: 'stdout' | 'stderr', chunk: Buffer | string) => {
                for (const index of indexes) deps.onOutput?.(index, stream, chunk);
              },
            }),
      },
    );
    const engineLost = stoppedFromOutside(outcome) && !(await engineAnswers(deps.backend));
    const ending = classifyOutcome(outcome, {
      deadlineAborted: deadline.aborted,
      runAborted: runSignal.aborted,
      engineLost,
    });
    const context = {
      memoryBytes: plan.container.memoryBytes,
      timeoutMs: deadlineMs,
      engine: deps.backend.engine,
      cancelReason: deps.cancelReason(),
    };
    switch (ending.kind) {
      case 'exited': {
        const exitCode = ending.exitCode;
        if (results !== undefined && exitCode !== null) {
          const beforeCommand = plan.beforeCommand !== undefined;
          return {
            files: indexes.map((index) =>
              resultFor(index, results.verdict(fileOf(index), exitCode, beforeCommand), outcome),
            ),
            notReached: [],
          };
        }
        return every({ status: exitCode === 0 ? 'passed' : 'failed' }, outcome);
      }
      case 'oom':
      case 'timed-out':
        return stopped(endingOf(ending, context), outcome);
      case 'engine-lost':
      case 'cancelled':
        return every(endingOf(ending, context), outcome);
      default:
        return assertNever(ending, 'container ending');
    }
  } catch (error) {
    // Aborted while waiting for a start-up slot: nothing ran.
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- it can change during the awaits
    if (runSignal.aborted && releaseStart === undefined && deps.startGate !== undefined) return cancelled();
    const failure =
      error instanceof BaleenError
        ? error
        : new BaleenError('INTERNAL', `unexpected failure: ${String(error)}`, { cause: error });
    return every({ status: 'error', error: { code: failure.code, message: failure.message } });
  } finally {
    clearTimeout(holdTimer);
    releaseStart?.();
    release();
  }

  /**
   * A container killed by its deadline or its memory limit: alone, its file ends so. In a pack, the files whose
   * scenarios had all finished keep their results, the one it was running ends so, and the ones it never reached
   * run again.
   */
  function stopped(ending: Ending, outcome: ContainerOutcome): UnitOutcome {
    if (unit.kind !== 'pack' || results === undefined) return every(ending, outcome);
    const files: UnitFileResult[] = [];
    const notReached: number[] = [];
    for (const index of indexes) {
      const progress = results.progress(fileOf(index));
      if (progress.state === 'not-started') notReached.push(index);
      else if (progress.state === 'running') files.push(resultFor(index, ending, outcome));
      else files.push(resultFor(index, { status: progress.passed ? 'passed' : 'failed' }, outcome));
    }
    return { files, notReached };
  }
}
