import { randomBytes } from 'node:crypto';
import { inContainerRunner, type RunnerConfig } from './in-container-runner.js';

/** The oldest @cucumber/cucumber major the in-container runner drives. */
export const MINIMUM_CUCUMBER_MAJOR = 7;

/**
 * Writes of at most PIPE_BUF (4096 on Linux) bytes to a pipe are never interleaved with other writers' bytes:
 * a frame's payload leaves room for its marker, sequence number, flag and newline.
 */
const FRAME_PAYLOAD_BYTES = 4_000;

/**
 * The runner's source, called with Node's `require` and the arguments after `--`. A bundler that keeps function
 * names (tsx does, for the tests) wraps functions in a `__name` helper that the container does not have: a no-op
 * one is defined first.
 */
const RUNNER_SOURCE =
  'var __name = function (target) { return target; };\n' +
  `(${inContainerRunner.toString()})(require, process.argv.slice(1));`;

export interface CucumberRunnerCall {
  /** argv of the container's command. */
  argv: string[];
  /** Starts every frame of this container's channel (see ChannelDecoder). */
  marker: string;
}

export interface CucumberTargets {
  /** cucumber-js in the container, relative to its work dir. */
  bin: string;
  /** The project's cucumber arguments (profile, tags, formats...), without paths. */
  args: readonly string[];
  /** Feature files (optionally with `:LINE` suffixes) this container runs. */
  targets: readonly string[];
  /** The paths of the whole run, for support code cucumber derives from them. */
  suitePaths: readonly string[];
}

/**
 * The container command that runs cucumber-js behind Baleen's runner: `node -e <runner> -- <config> <bin>
 * <args...>`. File names travel inside the JSON argument and the arguments as argv: nothing passes through a shell.
 * Each call gets a fresh marker, so the frames of one container can never be mistaken for another's.
 */
export function cucumberRunnerCall(call: CucumberTargets): CucumberRunnerCall {
  const marker = `\u001ebln${randomBytes(6).toString('hex')}:`;
  const config: RunnerConfig = {
    marker,
    chunkBytes: FRAME_PAYLOAD_BYTES,
    targets: [...call.targets],
    suitePaths: [...call.suitePaths],
    minimumMajor: MINIMUM_CUCUMBER_MAJOR,
  };
  return { argv: ['node', '-e', RUNNER_SOURCE, '--', JSON.stringify(config), call.bin, ...call.args], marker };
}
