import type Docker from 'dockerode';
import type { ContainerSpec } from '../container-backend.js';

/** What Swarm cannot do for a test container: refused with a clear message rather than silently dropped. */
export function unsupportedOnSwarm(spec: ContainerSpec): string[] {
  const { settings } = spec;
  const unsupported: string[] = [];
  if (settings.privileged) unsupported.push('--privileged (Swarm services cannot be privileged)');
  if (settings.gpus !== undefined) unsupported.push('--gpus (use generic resources on the Swarm nodes instead)');
  if (settings.publish.length > 0)
    unsupported.push('--publish (Swarm publishes ports per service through its ingress)');
  if (settings.cpusetCpus !== undefined) unsupported.push('--cpuset-cpus');
  if (settings.shmSizeBytes !== undefined) unsupported.push('--shm-size');
  if (settings.keep) unsupported.push('--keep');
  if (spec.workspace !== undefined) unsupported.push('--sync (a service cannot be given files before it starts)');
  return unsupported;
}

/** `size=64m` style tmpfs options: only the size has a Swarm equivalent. */
function tmpfsSize(options: string | undefined): number | undefined {
  const size = /(?:^|,)size=(\d+)([kmg]?)/i.exec(options ?? '');
  if (size?.[1] === undefined) return undefined;
  const unit = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[size[2]?.toLowerCase() ?? ''] ?? 1;
  return Number(size[1]) * unit;
}

/**
 * One test file as a Swarm `replicated-job` service: one task, never restarted, with the same labels, env and
 * limits a container would get. A single-engine network mode (`none`, `bridge`) means no swarm network; any other
 * name is attached as a swarm network.
 */
export function serviceSpec(name: string, spec: ContainerSpec): Docker.CreateServiceOptions {
  const { settings } = spec;
  // TmpfsOptions is in the Engine API but not in dockerode's typings.
  const mounts = [
    ...settings.volumes.map((volume) => ({
      Type: volume.source.startsWith('/') ? ('bind' as const) : ('volume' as const),
      Source: volume.source,
      Target: volume.target,
      ReadOnly: volume.readOnly,
    })),
    ...spec.mounts.map((mount) => ({
      Type: 'volume' as const,
      Source: mount.volume,
      Target: mount.target,
      ReadOnly: mount.readOnly,
    })),
    ...settings.tmpfs.map((mount) => {
      const size = tmpfsSize(mount.options);
      return {
        Type: 'tmpfs' as const,
        Source: '',
        Target: mount.target,
        ...(size === undefined ? {} : { TmpfsOptions: { SizeBytes: size } }),
      };
    }),
  ];
  const network = settings.network === 'none' || settings.network === 'bridge' ? undefined : settings.network;
  return {
    Name: name,
    Labels: spec.labels,
    TaskTemplate: {
      ContainerSpec: {
        Image: spec.image,
        // Command replaces the image's entrypoint, Args its command (as `docker service create` maps them).
        ...(settings.entrypoint === undefined ? {} : { Command: settings.entrypoint }),
        Args: spec.argv,
        Env: Object.entries(spec.env).map(([key, value]) => `${key}=${value}`),
        Labels: spec.labels,
        ...(spec.workDir === undefined ? {} : { Dir: spec.workDir }),
        ...(settings.user === undefined ? {} : { User: settings.user }),
        ...(settings.hostname === undefined ? {} : { Hostname: settings.hostname }),
        ReadOnly: settings.readOnly,
        Mounts: mounts as Docker.MountSettings[],
        // CapabilityDrop is in Engine API 1.41 (Docker 20.10) but not in dockerode's typings.
        ...(settings.capDrop === undefined || settings.capDrop.length === 0
          ? {}
          : { CapabilityDrop: [...settings.capDrop] }),
        // No `no-new-privileges` here: Swarm's spec has it only from Engine API 1.46 (Docker 27).
      },
      Resources: {
        Limits: {
          MemoryBytes: settings.memoryBytes,
          ...(settings.cpus === undefined ? {} : { NanoCPUs: Math.round(settings.cpus * 1e9) }),
          Pids: settings.pidsLimit,
        },
      },
      RestartPolicy: { Condition: 'none', MaxAttempts: 0 },
      // Service logs are read from the engine's log driver: json-file keeps stdout and stderr apart.
      LogDriver: { Name: 'json-file' },
      ...(network === undefined ? {} : { Networks: [{ Target: network }] }),
    },
    Mode: { ReplicatedJob: { MaxConcurrent: 1, TotalCompletions: 1 } },
  };
}
