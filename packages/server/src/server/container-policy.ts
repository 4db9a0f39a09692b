import type { ContainerRequest } from '@baleen/protocol';
import {
  DEFAULT_CONTAINER_LIMITS,
  settingsFromLimits,
  type ContainerLimits,
  type ContainerSettings,
} from '../backend/container-backend.js';

/**
 * What this server lets a client ask of its containers. The limits are both the defaults and the ceilings;
 * everything that loosens isolation (privileged, a network, host paths, GPUs, host ports, kept containers) is
 * off unless the operator turned it on.
 */
export interface ContainerPolicy {
  limits: ContainerLimits;
  allowPrivileged: boolean;
  /** Networks a client may ask for besides `none` and the server's default; `*` allows any. */
  allowNetworks: readonly string[];
  /** Host paths and named volumes. */
  allowVolumes: boolean;
  allowGpus: boolean;
  /** Publishing container ports on the host. */
  allowPublish: boolean;
  /** Containers left in place after a run (debugging). */
  allowKeep: boolean;
}

export const STRICT_POLICY: ContainerPolicy = {
  limits: DEFAULT_CONTAINER_LIMITS,
  allowPrivileged: false,
  allowNetworks: [],
  allowVolumes: false,
  allowGpus: false,
  allowPublish: false,
  allowKeep: false,
};

/** The embedded server runs on the user's own machine, for the user alone: nothing to protect from them. */
export const OPEN_POLICY: ContainerPolicy = {
  limits: { ...DEFAULT_CONTAINER_LIMITS, network: 'bridge' },
  allowPrivileged: true,
  allowNetworks: ['*'],
  allowVolumes: true,
  allowGpus: true,
  allowPublish: true,
  allowKeep: true,
};

export type ResolvedContainer = { settings: ContainerSettings } | { refusals: string[] };

const MIB = 1024 * 1024;

function networkAllowed(network: string, policy: ContainerPolicy): boolean {
  return (
    network === 'none' ||
    network === policy.limits.network ||
    policy.allowNetworks.includes('*') ||
    policy.allowNetworks.includes(network)
  );
}

/**
 * Merges a client's request into the server's defaults, or says everything the server will not allow, each with
 * the server flag that would allow it, so one round trip tells the user all that is wrong.
 */
export function resolveContainer(request: ContainerRequest | undefined, policy: ContainerPolicy): ResolvedContainer {
  const asked = request ?? {};
  const refusals: string[] = [];
  const refuse = (what: string, flag: string): void => {
    refusals.push(`${what} is not allowed on this server (its operator can allow it with baleen-server ${flag})`);
  };
  const { limits } = policy;
  if (asked.memoryBytes !== undefined && asked.memoryBytes > limits.memoryBytes) {
    refusals.push(
      `memory ${Math.ceil(asked.memoryBytes / MIB)} MiB is above this server's limit of ${Math.floor(limits.memoryBytes / MIB)} MiB (baleen-server --memory-mb)`,
    );
  }
  if (asked.cpus !== undefined && limits.cpus !== undefined && asked.cpus > limits.cpus) {
    refusals.push(
      `${asked.cpus} CPUs per container is above this server's limit of ${limits.cpus} (baleen-server --cpus-per-container)`,
    );
  }
  if (asked.pidsLimit !== undefined && asked.pidsLimit > limits.pidsLimit) {
    refusals.push(
      `a pids limit of ${asked.pidsLimit} is above this server's limit of ${limits.pidsLimit} (baleen-server --pids-limit)`,
    );
  }
  if (asked.privileged === true && !policy.allowPrivileged) refuse('--privileged', '--allow-privileged');
  if (asked.network !== undefined && !networkAllowed(asked.network, policy)) {
    refuse(`network '${asked.network}'`, `--allow-network ${asked.network}`);
  }
  if ((asked.volumes?.length ?? 0) > 0 && !policy.allowVolumes) refuse('--volume', '--allow-volumes');
  if (asked.gpus !== undefined && !policy.allowGpus) refuse('--gpus', '--allow-gpus');
  if ((asked.publish?.length ?? 0) > 0 && !policy.allowPublish) refuse('--publish', '--allow-publish');
  if (asked.keep === true && !policy.allowKeep) refuse('--keep', '--allow-keep');
  if ((asked.publish?.length ?? 0) > 0 && (asked.network ?? limits.network) === 'none') {
    refusals.push(`--publish needs a network: the containers' network is 'none' (pass --network bridge)`);
  }
  if (refusals.length > 0) return { refusals };

  const settings: ContainerSettings = {
    ...settingsFromLimits(limits),
    memoryBytes: asked.memoryBytes ?? limits.memoryBytes,
    pidsLimit: asked.pidsLimit ?? limits.pidsLimit,
    network: asked.network ?? limits.network,
    privileged: asked.privileged ?? false,
    readOnly: asked.readOnly ?? false,
    keep: asked.keep ?? false,
    tmpfs: asked.tmpfs ?? [],
    volumes: asked.volumes ?? [],
    publish: asked.publish ?? [],
  };
  if (asked.cpus !== undefined) settings.cpus = asked.cpus;
  if (asked.cpusetCpus !== undefined) settings.cpusetCpus = asked.cpusetCpus;
  if (asked.user !== undefined) settings.user = asked.user;
  if (asked.hostname !== undefined) settings.hostname = asked.hostname;
  if (asked.entrypoint !== undefined) settings.entrypoint = asked.entrypoint;
  if (asked.shmSizeBytes !== undefined) settings.shmSizeBytes = asked.shmSizeBytes;
  if (asked.gpus !== undefined) settings.gpus = asked.gpus;
  return { settings };
}
