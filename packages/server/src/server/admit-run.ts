import { isSafeRelativePath, type ErrorCode, type RunMessage } from '@baleen/protocol';
import type { ContainerSettings } from '../backend/container-backend.js';
import { suiteOfImage } from '../history/suite.js';
import { newTraceparent } from '../scheduler/trace-context.js';
import type { PlannedScenarios, RunPlan } from '../scheduler/run-plan.js';
import { imageRefusal, type ImagePolicy } from './image-policy.js';

/** What the server knows when a run arrives, as plain values: admitRun decides from these alone. */
export interface AdmissionContext {
  shuttingDown: boolean;
  /** The runRef was used before on this connection. */
  runRefUsed: boolean;
  /** Runs this client (token) has in progress, and how many it may have. */
  runsInProgress: number;
  maxRunsPerClient: number;
  imagePolicy: ImagePolicy;
  /** Why this server cannot take a synced tree at all (Swarm), if it cannot. */
  syncUnsupported: string | undefined;
  /** Whether this client has the synced tree of this hash on the server. */
  treeReady: (treeHash: string) => boolean;
  /** The container policy's answer: the settings, or what it refuses. */
  container: { settings: ContainerSettings } | { refusals: string[] };
  /** The run-scenarios frames that came before the run, or why they do not fit it. */
  scenarios: { scenarios: (PlannedScenarios | undefined)[] } | { refusal: string };
  serverId: string;
  capacity: number;
  maxOutputBytes: number;
  /** Whose runs these are (the capacity's rotation) and who the history says ran it. */
  owner: string;
  client: string;
  runId: string;
  /** A seed for a random order, when the client gave none. */
  newSeed: () => number;
}

export type Admission =
  | { ok: true; plan: RunPlan }
  | {
      ok: false;
      code: Extract<ErrorCode, 'SERVER_SHUTTING_DOWN' | 'DUPLICATE_RUN_REF' | 'RUN_REJECTED'>;
      message: string;
    };

/**
 * Whether the server takes a run, and the plan it runs: every refusal named in one message, before any container
 * exists; every default and cap applied. Pure, so every way a run can be refused is a table test.
 */
export function admitRun(message: RunMessage, context: AdmissionContext): Admission {
  if (context.shuttingDown) {
    return {
      ok: false,
      code: 'SERVER_SHUTTING_DOWN',
      message: 'the server is shutting down and takes no new runs; try again shortly',
    };
  }
  if (context.runRefUsed) {
    return {
      ok: false,
      code: 'DUPLICATE_RUN_REF',
      message: `runRef '${message.runRef}' was already used on this connection`,
    };
  }
  const reasons = [
    ...policyRefusals(message, context),
    ...('refusals' in context.container ? context.container.refusals : []),
    ...('refusal' in context.scenarios ? [context.scenarios.refusal] : []),
  ];
  if (reasons.length > 0 || !('settings' in context.container) || !('scenarios' in context.scenarios)) {
    return { ok: false, code: 'RUN_REJECTED', message: reasons.join('; ') };
  }
  return {
    ok: true,
    plan: {
      runId: context.runId,
      serverId: context.serverId,
      owner: context.owner,
      image: message.image,
      suite: message.suite ?? suiteOfImage(message.image),
      traceparent: message.traceparent ?? newTraceparent(),
      client: context.client,
      files: message.files,
      order: message.order ?? 'timing',
      seed: message.seed ?? context.newSeed(),
      packMs:
        message.pack === undefined
          ? undefined
          : message.pack === 'auto'
            ? Number.POSITIVE_INFINITY
            : Math.round(message.pack * 1000),
      split: message.split ?? 'auto',
      command: message.command,
      cucumber: message.cucumber,
      scenarios: context.scenarios.scenarios,
      workDir: message.workDir,
      timeoutMs: Math.round(message.timeoutSeconds * 1000),
      concurrency: Math.min(message.concurrency, context.capacity),
      env: message.env,
      beforeCommand: message.beforeCommand,
      maxOutputBytes: Math.min(message.maxOutputBytes ?? context.maxOutputBytes, context.maxOutputBytes),
      retries: message.retries ?? 0,
      failFast: message.failFast ?? false,
      container: context.container.settings,
      pull: message.pull ?? 'missing',
      prepare: message.prepare,
    },
  };
}

/** What the server's own rules refuse: too many runs, an image not allowed, a path out of the work dir, a sync. */
function policyRefusals(message: RunMessage, context: AdmissionContext): string[] {
  if (context.runsInProgress >= context.maxRunsPerClient) {
    return [
      `this client already has ${context.runsInProgress} runs in progress (at most ${context.maxRunsPerClient} at once, per token over all its connections)`,
    ];
  }
  const image = imageRefusal(message.image, context.imagePolicy);
  if (image !== undefined) return [image];
  const bad = message.files.find((file) => !isSafeRelativePath(file));
  if (bad !== undefined)
    return [`file '${bad}' must be a relative path inside the work dir (normalised, no leading /, no '..')`];
  if (message.sync !== undefined) {
    if (context.syncUnsupported !== undefined) return [context.syncUnsupported];
    // The same answer whether no one or another tenant synced it: a hash alone opens nothing.
    if (!context.treeReady(message.sync.treeHash)) {
      return [`workspace ${message.sync.treeHash.slice(0, 12)} is not on this server: sync it first (sync-offer)`];
    }
  }
  return [];
}
