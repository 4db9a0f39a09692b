import { z } from 'zod';
import { FILE_STATUSES, RUN_STATUSES } from './file-status.js';
import { MAX_FILES_PER_RUN, MAX_PATH_LENGTH } from './limits.js';

/** Scenarios named per file in an answer: a file with more failing than this is rerun whole. */
export const MAX_LAST_FAILED_SCENARIOS_PER_FILE = 1_000;

/**
 * `--last-failed` against a shared server: what did not pass in the suite's latest finished run of this
 * client's own tenant (its token). A server answers with `last-failed-answer` carrying the same `queryRef`.
 */
export const lastFailedQuerySchema = z.object({
  type: z.literal('last-failed-query'),
  queryRef: z.string().min(1).max(100),
  /** The suite, as a run would name it: `suite`, else the image's repository. */
  suite: z.string().min(1).max(200).optional(),
  image: z.string().min(1).max(512),
});

const lastFailedFileSchema = z.object({
  file: z.string().min(1).max(MAX_PATH_LENGTH),
  status: z.enum(FILE_STATUSES),
  /** Scenarios whose last attempt did not pass, by their line; empty when none is known (a timeout, a crash). */
  failedScenarios: z
    .array(z.object({ line: z.int().positive(), name: z.string().max(4_096) }))
    .max(MAX_LAST_FAILED_SCENARIOS_PER_FILE),
});

export const lastFailedAnswerSchema = z.object({
  type: z.literal('last-failed-answer'),
  queryRef: z.string(),
  suite: z.string(),
  /** The latest finished, not cancelled run of the suite by this tenant; absent when it has none. */
  run: z
    .object({
      runId: z.string(),
      status: z.enum(RUN_STATUSES),
      finishedAt: z.string(),
      /** How many files that run had. */
      fileCount: z.int().nonnegative(),
      /** Only the files that did not pass. */
      files: z.array(lastFailedFileSchema).max(MAX_FILES_PER_RUN),
    })
    .optional(),
});

export type LastFailedQueryMessage = z.infer<typeof lastFailedQuerySchema>;
export type LastFailedAnswerMessage = z.infer<typeof lastFailedAnswerSchema>;
export type LastFailedFile = z.infer<typeof lastFailedFileSchema>;
