import { z } from 'zod';
import { MAX_ARG_LENGTH, MAX_ARGS, MAX_FILES_PER_RUN, MAX_PATH_LENGTH } from './limits.js';

/** The longest scenario name carried; longer names are cut (the line identifies the scenario). */
export const MAX_SCENARIO_NAME_LENGTH = 1_000;
/** Scenarios per run-scenarios frame, so that a frame stays well under the server's 1 MiB frame limit. */
export const MAX_SCENARIOS_PER_FRAME = 2_000;
/** Scenarios a run may name in all. */
export const MAX_SCENARIOS_PER_RUN = 200_000;
/** Missing scenarios named in one file-finished (the count says how many there were). */
export const MAX_MISSING_LISTED = 200;

/** A scenario cucumber will run, as the client's discovery found it: its line (an example row's, for outlines). */
export const expectedScenarioSchema = z.object({
  line: z.int().positive(),
  name: z.string().max(MAX_SCENARIO_NAME_LENGTH),
});
export type ExpectedScenario = z.infer<typeof expectedScenarioSchema>;

/**
 * How a cucumber run is run: Baleen's runner starts the project's cucumber-js in each container (see the server's
 * cucumber/in-container-runner.ts) with these arguments and one feature file (or part of one) as its paths.
 */
export const cucumberRunSchema = z.object({
  /** cucumber-js in the image, relative to the work dir (node_modules/.bin/cucumber-js). */
  bin: z.string().min(1).max(MAX_PATH_LENGTH),
  /** The project's own cucumber-js arguments (profile, tags, format...), without feature paths. */
  args: z.array(z.string().max(MAX_ARG_LENGTH)).max(MAX_ARGS),
  /**
   * The run's feature folders: where cucumber-js finds support code when the project names none, as one
   * cucumber-js over the whole run would.
   */
  suitePaths: z.array(z.string().min(1).max(MAX_PATH_LENGTH)).max(MAX_FILES_PER_RUN),
  /** cucumber's `strict` as the project sets it (pending and undefined steps fail); true when not known. */
  strict: z.boolean().optional(),
});
export type CucumberRun = z.infer<typeof cucumberRunSchema>;

/**
 * The scenarios some files of a run will run (client → server, before the `run` with the same runRef). Sent in as
 * many frames as needed; a file not named has no known list. `lines` true: run exactly these lines (the file's
 * other scenarios were left out by line or shard), else the whole file as cucumber-js filters it.
 */
export const runScenariosSchema = z.object({
  type: z.literal('run-scenarios'),
  runRef: z.string().min(1).max(100),
  files: z
    .array(
      z.object({
        index: z.int().nonnegative().max(MAX_FILES_PER_RUN),
        scenarios: z.array(expectedScenarioSchema).max(MAX_SCENARIOS_PER_FRAME),
        byLine: z.boolean().optional(),
      }),
    )
    .max(MAX_SCENARIOS_PER_FRAME),
});
export type RunScenariosMessage = z.infer<typeof runScenariosSchema>;
