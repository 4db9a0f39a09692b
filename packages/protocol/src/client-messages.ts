import { z } from 'zod';
import {
  MAX_ARG_LENGTH,
  MAX_ARGS,
  MAX_CONCURRENCY,
  MAX_ENV_VARS,
  MAX_FILES_PER_RUN,
  MAX_PATH_LENGTH,
  MAX_RETRIES,
  MAX_TIMEOUT_SECONDS,
} from './limits.js';
import { containerRequestSchema } from './container-request.js';
import { syncBlobSchema, syncManifestSchema, syncOfferSchema } from './sync-messages.js';
import { cucumberRunSchema, runScenariosSchema } from './cucumber-run.js';
import { lastFailedQuerySchema } from './last-failed.js';
import { TRACEPARENT_PATTERN } from './trace-context.js';

/** When the engine fetches the run's image: only when it lacks it (default), every run, or never. */
export const PULL_POLICIES = ['missing', 'always', 'never'] as const;
export type PullPolicy = (typeof PULL_POLICIES)[number];

/** The order files start in: longest first by history, as given, or shuffled (with a seed). */
export const RUN_ORDERS = ['timing', 'given', 'random'] as const;
export type RunOrder = (typeof RUN_ORDERS)[number];

/** Whether the server may split a long cucumber file into chunks of its scenarios. */
export const SPLIT_MODES = ['off', 'auto'] as const;
export type SplitMode = (typeof SPLIT_MODES)[number];

/** POSIX-portable environment variable names. */
export const ENV_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Docker image references: [registry/]name[:tag][@digest]; no spaces, no shell characters. */
export const IMAGE_REFERENCE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._\-/:@]*$/;

const envName = z.string().regex(ENV_NAME_PATTERN, 'must be a valid environment variable name');
const arg = z.string().max(MAX_ARG_LENGTH);

export const helloSchema = z.object({
  type: z.literal('hello'),
  protocolVersion: z.int().nonnegative(),
  client: z.object({ name: z.string().max(100), version: z.string().max(100) }),
});

export const runSchema = z
  .object({
    type: z.literal('run'),
    /** Chosen by the client so it can match `run-accepted` to its request; unique per connection. */
    runRef: z.string().min(1).max(100),
    image: z.string().min(1).max(512).regex(IMAGE_REFERENCE_PATTERN, 'must be an image reference such as name:tag'),
    files: z.array(z.string().min(1).max(MAX_PATH_LENGTH)).min(1).max(MAX_FILES_PER_RUN),
    /**
     * argv of the test command (`baleen run`); `{file}` is replaced by the file's path, or the path is appended.
     * A cucumber run gives `cucumber` instead.
     */
    command: z.array(arg).min(1).max(MAX_ARGS).optional(),
    /** A cucumber run: the server runs the project's cucumber-js behind its own runner, one feature file each. */
    cucumber: cucumberRunSchema.optional(),
    workDir: z.string().min(1).max(MAX_PATH_LENGTH).optional(),
    timeoutSeconds: z.number().positive().max(MAX_TIMEOUT_SECONDS),
    concurrency: z.int().positive().max(MAX_CONCURRENCY),
    env: z.record(envName, arg).refine((env) => Object.keys(env).length <= MAX_ENV_VARS, {
      message: `at most ${MAX_ENV_VARS} variables`,
    }),
    /** A shell script run before the test command in each container; the user's own, so it runs in `sh`. */
    beforeCommand: z.string().min(1).max(MAX_ARG_LENGTH).optional(),
    /** Output kept per stream per file; the server may lower it to its own cap. */
    maxOutputBytes: z.int().positive().optional(),
    /** A failed or timed-out file runs again in a fresh container, up to this many more times. */
    retries: z.int().min(0).max(MAX_RETRIES).optional(),
    /** The first file that fails cancels the queued files and stops the running ones. */
    failFast: z.boolean().optional(),
    /** Container options beyond the server's defaults; the server refuses what it does not allow. */
    container: containerRequestSchema.optional(),
    pull: z.enum(PULL_POLICIES).optional(),
    /**
     * A shell script run once per run, before any test container, in its own container with a fresh volume at
     * `/job`; test containers then get that volume read-only at `/job`. Its failure stops the run.
     */
    prepare: z.string().min(1).max(MAX_ARG_LENGTH).optional(),
    /** A workspace tree synced before this run (sync-offer ... sync-ready), placed at the work dir of each container. */
    sync: z.object({ treeHash: z.string().regex(/^[a-f0-9]{64}$/) }).optional(),
    /** Start order (default `timing`: longest first by the server's history of the suite). */
    order: z.enum(RUN_ORDERS).optional(),
    /** Seed of a `random` order; the server picks one when none is given and says which. */
    seed: z
      .int()
      .min(0)
      .max(2 ** 31)
      .optional(),
    /** The history a run belongs to (default: the image's repository); runs of one suite learn from each other. */
    suite: z.string().min(1).max(200).optional(),
    /**
     * cucumber: run several files in one container, about this many seconds each (start-up paid once); `auto`:
     * about one pack per slot, balanced by history (start-up paid about once per slot, as cucumber's --parallel).
     */
    pack: z.union([z.number().positive().max(MAX_TIMEOUT_SECONDS), z.literal('auto')]).optional(),
    /** cucumber: split a file that would be the critical path into chunks of its scenarios (default auto). */
    split: z.enum(SPLIT_MODES).optional(),
    /**
     * The run's span as W3C `traceparent`: every container gets it as TRACEPARENT, so the system under test joins
     * the run's trace. The server makes one when none is given.
     */
    traceparent: z
      .string()
      .regex(TRACEPARENT_PATTERN, 'must be a W3C traceparent (00-<32 hex>-<16 hex>-<2 hex>)')
      .optional(),
  })
  .refine((run) => (run.command === undefined) !== (run.cucumber === undefined), {
    message: 'a run gives either command (any test runner) or cucumber, and not both',
    path: ['command'],
  });

export const cancelSchema = z.object({
  type: z.literal('cancel'),
  runId: z.string().min(1).max(100),
  reason: z.string().max(1_000).optional(),
});

export const clientMessageSchema = z.discriminatedUnion('type', [
  helloSchema,
  runSchema,
  cancelSchema,
  syncOfferSchema,
  syncManifestSchema,
  syncBlobSchema,
  runScenariosSchema,
  lastFailedQuerySchema,
]);

export type HelloMessage = z.infer<typeof helloSchema>;
export type RunMessage = z.infer<typeof runSchema>;
export type CancelMessage = z.infer<typeof cancelSchema>;
export type ClientMessage = z.infer<typeof clientMessageSchema>;
