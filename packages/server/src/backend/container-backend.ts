import type { CollectedOutput } from './output-collector.js';

/** Safe defaults every container gets; a client cannot loosen them. */
export interface ContainerLimits {
  /** Processes at most: a fork bomb stops here. */
  pidsLimit: number;
  /** Memory at most, with no extra swap. */
  memoryBytes: number;
  /** Docker network mode: `none` unless the server allows more. */
  network: string;
}

export const DEFAULT_CONTAINER_LIMITS: ContainerLimits = {
  pidsLimit: 1024,
  memoryBytes: 4 * 1024 * 1024 * 1024,
  network: 'none',
};

/** Everything a backend needs to run one test file's container. */
export interface ContainerSpec {
  limits: ContainerLimits;
  image: string;
  argv: string[];
  workDir: string | undefined;
  env: Record<string, string>;
  labels: Record<string, string>;
  maxOutputBytes: number;
}

/** Why a container stopped: it exited by itself, or the signal passed to `run` stopped it. */
export type ContainerEnd = 'exited' | 'interrupted';

export interface ContainerOutcome {
  /** null when the signal stopped the file before a container existed. */
  containerId: string | null;
  end: ContainerEnd;
  /** null when the process never reached an exit code the engine could report. */
  exitCode: number | null;
  stdout: CollectedOutput;
  stderr: CollectedOutput;
}

export interface RunContainerOptions {
  /** Aborted by the run's cancellation or the file's deadline; the backend kills the container. */
  signal: AbortSignal;
  onStarted: (containerId: string) => void;
  /**
   * Puts a filter in front of the kept stderr, e.g. to pull cucumber's message envelopes out of it as they
   * arrive. `end` is called once the stream has delivered everything.
   */
  stderrFilter?: (kept: OutputSink) => OutputSink & { end(): void };
}

/** Where a container's output bytes go. */
export interface OutputSink {
  write(chunk: Buffer | string): boolean;
}

/**
 * A container engine. The scheduler only speaks to this interface, so it can be tested with a fake and a second
 * engine (Swarm, Kubernetes) is a new implementation, not a branch in the old one.
 */
export interface ContainerBackend {
  /** Where containers run, for messages ("the Docker engine at unix:///var/run/docker.sock"). */
  readonly engine: string;
  /** Throws a BaleenError (DOCKER_UNREACHABLE) when the engine does not answer. */
  ping(): Promise<void>;
  /** Throws a BaleenError (IMAGE_NOT_FOUND) when the image is not available to the engine. */
  ensureImage(image: string): Promise<void>;
  /**
   * Runs one container to its end and removes it, whatever happened. Resolves `interrupted` when the signal
   * stopped it (before or after start); throws a BaleenError when it could not be created or started.
   */
  run(spec: ContainerSpec, options: RunContainerOptions): Promise<ContainerOutcome>;
  /** Removes every container carrying all these labels; returns how many were removed. */
  removeContainers(labels: Record<string, string>): Promise<number>;
}
