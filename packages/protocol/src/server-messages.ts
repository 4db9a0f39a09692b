import { z } from 'zod';
import { lastFailedAnswerSchema } from './last-failed.js';
import { boundPortSchema } from './container-request.js';
import { ERROR_CODES } from './error-codes.js';
import { FILE_STATUSES, RUN_STATUSES, SCENARIO_STATUSES } from './file-status.js';
import { syncProgressSchema, syncReadySchema, syncWantedSchema } from './sync-messages.js';
import { expectedScenarioSchema } from './cucumber-run.js';
import { RUN_ORDERS } from './client-messages.js';

const errorInfo = z.object({ code: z.enum(ERROR_CODES), message: z.string() });

/** Scenario or step counts by status, as cucumber's own summary counts them. */
export const statusCountsSchema = z.object({
  passed: z.int().nonnegative(),
  failed: z.int().nonnegative(),
  pending: z.int().nonnegative(),
  undefined: z.int().nonnegative(),
  ambiguous: z.int().nonnegative(),
  skipped: z.int().nonnegative(),
  unknown: z.int().nonnegative(),
  /** Started or planned but never finished: the container died, was killed or exited early. */
  unfinished: z.int().nonnegative(),
});

export const welcomeSchema = z.object({
  type: z.literal('welcome'),
  protocolVersion: z.int(),
  serverId: z.string(),
  serverVersion: z.string(),
  capacity: z.int().positive(),
  /** Where the server's containers run, for messages such as "image missing on <engine>". */
  engine: z.string(),
});

export const runAcceptedSchema = z.object({
  type: z.literal('run-accepted'),
  runRef: z.string(),
  runId: z.string(),
  fileCount: z.int().nonnegative(),
  /** Containers of this run at once: what the client asked, or the server's capacity when that is less. */
  concurrency: z.int().positive().optional(),
  /** The run's page on the server's dashboard: a path, resolved against the server's own http(s) address. */
  dashboard: z.string().startsWith('/').optional(),
});

/** The run waits for the server's capacity: its client's place in the rotation (1 = next). Sent as it moves. */
export const runQueuedSchema = z.object({
  type: z.literal('run-queued'),
  runId: z.string(),
  /** 0 once the run holds a slot again. */
  position: z.int().nonnegative(),
});

/** Part of a file split over several containers (`part` of `parts`, from 1). */
const chunkSchema = z.object({ part: z.int().positive(), parts: z.int().positive() });

/** What the server decided for a run, before its first container: order, history, packs, splits. */
export const runPlannedSchema = z.object({
  type: z.literal('run-planned'),
  runId: z.string(),
  order: z.enum(RUN_ORDERS),
  /** The seed of a `random` order, to run it again in the same order. */
  seed: z.int().optional(),
  /** Where the order came from: this server's history, the project's own (an embedded server), or none. */
  history: z.object({ source: z.enum(['server', 'project', 'none']), known: z.int(), total: z.int() }),
  containers: z.int().nonnegative(),
  packs: z.int().nonnegative(),
  packedFiles: z.int().nonnegative(),
  splits: z.array(z.object({ fileIndex: z.int().nonnegative(), file: z.string(), parts: z.int().positive() })),
});

export const fileStartedSchema = z.object({
  type: z.literal('file-started'),
  runId: z.string(),
  fileIndex: z.int().nonnegative(),
  file: z.string(),
  attempt: z.int().positive(),
  containerId: z.string(),
  /** Host ports the engine bound for the run's published ports. */
  ports: z.array(boundPortSchema).optional(),
  /** The cluster node the container runs on (Swarm backend). */
  node: z.string().optional(),
  /** The file shares its container with other files (a pack): how many in all. */
  pack: z.object({ files: z.int().positive() }).optional(),
  /** The file runs in several containers (split): this says how many. */
  chunks: z.int().positive().optional(),
});

export const fileFinishedSchema = z.object({
  type: z.literal('file-finished'),
  runId: z.string(),
  fileIndex: z.int().nonnegative(),
  file: z.string(),
  attempt: z.int().positive(),
  status: z.enum(FILE_STATUSES),
  /** null when the command never ran to an exit (not started, killed before start). */
  exitCode: z.int().nullable(),
  durationMs: z.number().nonnegative(),
  containerId: z.string().nullable(),
  stdout: z.string(),
  stderr: z.string(),
  stdoutTruncated: z.boolean(),
  stderrTruncated: z.boolean(),
  error: errorInfo.optional(),
  /** True when this attempt failed and the file will run again; only the last attempt counts in the totals. */
  willRetry: z.boolean().optional(),
  scenarios: statusCountsSchema.optional(),
  steps: statusCountsSchema.optional(),
  /** The container was left in place (`keep`), for debugging. */
  kept: z.boolean().optional(),
  /** The cluster node the file ran on (Swarm backend). */
  node: z.string().optional(),
  /**
   * Scenarios the client expected this file to run that never finished (at most MAX_MISSING_LISTED of them;
   * `scenarios.unfinished` counts them all).
   */
  missing: z.array(expectedScenarioSchema).optional(),
  /** cucumber-js's version in the image, as the runner found it. */
  cucumberVersion: z.string().optional(),
  /** cucumber: from the container's start to cucumber's testRunStarted (its support code loaded), ms. */
  startupMs: z.number().nonnegative().optional(),
  /** cucumber: the file's scenarios, first start to last finish, ms. */
  runMs: z.number().nonnegative().optional(),
  /** The file shared its container with other files (a pack): how many in all. */
  pack: z.object({ files: z.int().positive() }).optional(),
  /** The file ran split over this many containers; its results are theirs, merged. */
  chunks: z.int().positive().optional(),
});

/** Stages of a run that are not test files: today the prepare stage. */
export const STAGES = ['prepare'] as const;

export const stageStartedSchema = z.object({
  type: z.literal('stage-started'),
  runId: z.string(),
  stage: z.enum(STAGES),
  containerId: z.string(),
});

export const stageFinishedSchema = z.object({
  type: z.literal('stage-finished'),
  runId: z.string(),
  stage: z.enum(STAGES),
  status: z.enum(FILE_STATUSES),
  exitCode: z.int().nullable(),
  durationMs: z.number().nonnegative(),
  containerId: z.string().nullable(),
  stdout: z.string(),
  stderr: z.string(),
  error: errorInfo.optional(),
  kept: z.boolean().optional(),
});

export const scenarioFinishedSchema = z.object({
  type: z.literal('scenario-finished'),
  runId: z.string(),
  fileIndex: z.int().nonnegative(),
  file: z.string(),
  attempt: z.int().positive(),
  name: z.string(),
  uri: z.string(),
  line: z.int().nullable(),
  status: z.enum(SCENARIO_STATUSES),
  durationMs: z.number().nonnegative(),
  errorMessage: z.string().optional(),
});

/** Cucumber's own message envelopes of one attempt at one file, as NDJSON, sent just before its file-finished. */
export const fileMessagesSchema = z.object({
  type: z.literal('file-messages'),
  runId: z.string(),
  fileIndex: z.int().nonnegative(),
  attempt: z.int().positive(),
  /** One chunk's stream of a file split over several containers: the client merges the chunks. */
  chunk: chunkSchema.optional(),
  ndjson: z.string(),
  truncated: z.boolean(),
});

export const runTotalsSchema = z.object({
  files: z.int().nonnegative(),
  passed: z.int().nonnegative(),
  failed: z.int().nonnegative(),
  timedOut: z.int().nonnegative(),
  cancelled: z.int().nonnegative(),
  error: z.int().nonnegative(),
  /** Files whose container was killed by its memory limit. */
  oom: z.int().nonnegative(),
  /** Files that passed only on a later attempt. */
  flaky: z.int().nonnegative(),
  /** Files that never got a result because the run ended before them (engine or image missing). */
  notRun: z.int().nonnegative(),
});

export const runFinishedSchema = z.object({
  type: z.literal('run-finished'),
  runId: z.string(),
  status: z.enum(RUN_STATUSES),
  totals: runTotalsSchema,
  wallTimeMs: z.number().nonnegative(),
  error: errorInfo.optional(),
});

export const errorSchema = z.object({
  type: z.literal('error'),
  code: z.enum(ERROR_CODES),
  message: z.string(),
  /** Set when the error concerns one run request or run. */
  runRef: z.string().optional(),
  runId: z.string().optional(),
  /** Set when the error concerns a workspace sync. */
  syncRef: z.string().optional(),
});

export const serverMessageSchema = z.discriminatedUnion('type', [
  welcomeSchema,
  runAcceptedSchema,
  runPlannedSchema,
  runQueuedSchema,
  fileStartedSchema,
  fileFinishedSchema,
  stageStartedSchema,
  stageFinishedSchema,
  scenarioFinishedSchema,
  fileMessagesSchema,
  runFinishedSchema,
  errorSchema,
  syncWantedSchema,
  syncProgressSchema,
  syncReadySchema,
  lastFailedAnswerSchema,
]);

export type WelcomeMessage = z.infer<typeof welcomeSchema>;
export type RunAcceptedMessage = z.infer<typeof runAcceptedSchema>;
export type RunQueuedMessage = z.infer<typeof runQueuedSchema>;
export type RunPlannedMessage = z.infer<typeof runPlannedSchema>;
export type FileStartedMessage = z.infer<typeof fileStartedSchema>;
export type FileFinishedMessage = z.infer<typeof fileFinishedSchema>;
export type StageStartedMessage = z.infer<typeof stageStartedSchema>;
export type StageFinishedMessage = z.infer<typeof stageFinishedSchema>;
export type StatusCounts = z.infer<typeof statusCountsSchema>;
export type ScenarioFinishedMessage = z.infer<typeof scenarioFinishedSchema>;
export type FileMessagesMessage = z.infer<typeof fileMessagesSchema>;
export type RunTotals = z.infer<typeof runTotalsSchema>;
export type RunFinishedMessage = z.infer<typeof runFinishedSchema>;
export type ErrorMessage = z.infer<typeof errorSchema>;
export type ServerMessage = z.infer<typeof serverMessageSchema>;
