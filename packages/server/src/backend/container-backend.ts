import type { BoundPort, PublishRequest, PullPolicy, TmpfsRequest, VolumeRequest } from '@baleen/protocol';
import type { CollectedOutput } from './output-collector.js';

/** Safe defaults every container gets; a client may tighten them, and loosen them only where the server allows. */
export interface ContainerLimits {
  /** Processes at most: a fork bomb stops here. */
  pidsLimit: number;
  /** Memory at most, with no extra swap. */
  memoryBytes: number;
  /** Docker network mode: `none` unless the server allows more. */
  network: string;
  /** CPUs per container at most (a CFS quota), and the default; none: as many as the host has. */
  cpus?: number;
  /** Capabilities taken from Docker's default set (untrusted code on a shared server needs none of these). */
  capDrop?: readonly string[];
}

/**
 * What a shared server drops from Docker's default capabilities: raw sockets (spoofing, sniffing on a shared
 * network), device nodes, audit writes, file capabilities, capability changes and chroot. Kept: what ordinary
 * test code uses as root in its container (chown, file ownership, setuid/setgid, kill, binding low ports).
 */
export const SHARED_SERVER_CAP_DROP = ['NET_RAW', 'MKNOD', 'AUDIT_WRITE', 'SETFCAP', 'SETPCAP', 'SYS_CHROOT'] as const;

export const DEFAULT_CONTAINER_LIMITS: ContainerLimits = {
  pidsLimit: 1024,
  memoryBytes: 4 * 1024 * 1024 * 1024,
  network: 'none',
};

/** A mount of a Docker volume (not a host path) created by Baleen itself, e.g. the prepare stage's `/job`. */
export interface VolumeMount {
  volume: string;
  target: string;
  readOnly: boolean;
}

/** Everything about a container beyond image and command, already checked against the server's policy. */
export interface ContainerSettings extends ContainerLimits {
  privileged: boolean;
  cpus?: number;
  cpusetCpus?: string;
  user?: string;
  hostname?: string;
  entrypoint?: string[];
  shmSizeBytes?: number;
  gpus?: string;
  tmpfs: TmpfsRequest[];
  readOnly: boolean;
  /** The client's volumes: host paths or volume names. */
  volumes: VolumeRequest[];
  publish: PublishRequest[];
  /** Leave the container in place after it ends (debugging). */
  keep: boolean;
}

export function settingsFromLimits(limits: ContainerLimits): ContainerSettings {
  return { ...limits, privileged: false, tmpfs: [], readOnly: false, volumes: [], publish: [], keep: false };
}

/** Everything a backend needs to run one test file's container. */
export interface ContainerSpec {
  settings: ContainerSettings;
  /** Volumes Baleen made for the run (never a host path). */
  mounts: VolumeMount[];
  image: string;
  argv: string[];
  workDir: string | undefined;
  env: Record<string, string>;
  labels: Record<string, string>;
  maxOutputBytes: number;
  /**
   * How long the container may run at most (the file's timeout): the server kills it then, and it carries a
   * deadline label a little later, which the reaper enforces should the server not.
   */
  deadlineMs?: number;
  /**
   * A synced workspace: a fresh tar stream of it on each call, unpacked at the work dir after the container is
   * created and before it starts (no host mount).
   */
  workspace?: () => NodeJS.ReadableStream;
}

/** Why a container stopped: it exited by itself, or the signal passed to `run` stopped it. */
export type ContainerEnd = 'exited' | 'interrupted';

export interface ContainerOutcome {
  /** null when the signal stopped the file before a container existed. */
  containerId: string | null;
  end: ContainerEnd;
  /** null when the process never reached an exit code the engine could report. */
  exitCode: number | null;
  /** The engine reports the container was killed by its memory limit. */
  oomKilled: boolean;
  /** The container was left in place (`keep`). */
  kept: boolean;
  /** The cluster node it ran on (Swarm). */
  node?: string;
  stdout: CollectedOutput;
  stderr: CollectedOutput;
}

/** Where a container started. */
export interface StartedContainer {
  containerId: string;
  /** Host ports bound for the settings' published ports. */
  ports: BoundPort[];
  /** The cluster node it runs on (Swarm); absent on a single engine. */
  node?: string;
}

export interface RunContainerOptions {
  /** Aborted by the run's cancellation or the file's deadline; the backend kills the container. */
  signal: AbortSignal;
  onStarted: (started: StartedContainer) => void;
  /**
   * Puts a filter in front of the kept stderr, e.g. to pull cucumber's message envelopes out of it as they
   * arrive. `end` is called once the stream has delivered everything.
   */
  stderrFilter?: (kept: OutputSink) => OutputSink & { end(): void };
  /**
   * Every chunk of output as it arrives, after the stderr filter (so a cucumber file's channel frames are not
   * in it): what a live view tails. A backend without `liveOutput` calls it when the container has ended.
   */
  onOutput?: (stream: 'stdout' | 'stderr', chunk: Buffer | string) => void;
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
  /**
   * Output reaches `stderrFilter` while the container runs (true), or only once it has ended (false: Swarm,
   * whose service logs can be read whole only after the task). Results stream live only on the first kind.
   */
  readonly liveOutput: boolean;
  /** Set when this backend cannot place a synced workspace in its containers: why, for the client. */
  readonly workspaceUnsupported?: string;
  /** Throws a BaleenError (DOCKER_UNREACHABLE) when the engine does not answer. */
  ping(): Promise<void>;
  /**
   * Makes the image available under the pull policy: `missing` pulls only what the engine lacks, `always`
   * pulls anyway, `never` only checks. Throws a BaleenError (IMAGE_NOT_FOUND, IMAGE_PULL_FAILED).
   */
  ensureImage(image: string, pull: PullPolicy): Promise<void>;
  /** Creates an empty volume carrying these labels; returns its name. */
  createVolume(labels: Record<string, string>): Promise<string>;
  /** Removes every volume carrying all these labels; returns how many were removed. */
  removeVolumes(labels: Record<string, string>): Promise<number>;
  /**
   * Runs one container to its end and removes it, whatever happened. Resolves `interrupted` when the signal
   * stopped it (before or after start); throws a BaleenError when it could not be created or started.
   */
  run(spec: ContainerSpec, options: RunContainerOptions): Promise<ContainerOutcome>;
  /** Removes every container carrying all these labels; returns how many were removed. */
  removeContainers(labels: Record<string, string>): Promise<number>;
  /**
   * The server ids on everything Baleen has on the engine (containers, volumes, services), each once; what
   * `--keep` runs left for their users is left out.
   */
  listServerIds(): Promise<string[]>;
}
