import type Docker from 'dockerode';
import type { ContainerSpec } from '../container-backend.js';
import { LABELS } from '../container-labels.js';

/**
 * The reaper's deadline comes this long after the server's own, so it never races the server's kill
 * (BALEEN_REAPER_GRACE_SECONDS changes it, e.g. for a test of a hung server).
 */
export const REAPER_GRACE_MS = Number(process.env['BALEEN_REAPER_GRACE_SECONDS'] ?? 60) * 1000;

/** `all` -> every GPU; `2` -> two; `device=0,1` -> those devices (as `docker run --gpus` reads it). */
export function gpuDeviceRequest(gpus: string): Docker.DeviceRequest {
  const base = { Driver: '', Capabilities: [['gpu']] };
  if (gpus === 'all') return { ...base, Count: -1 };
  if (gpus.startsWith('device=')) return { ...base, DeviceIDs: gpus.slice('device='.length).split(',') };
  return { ...base, Count: Number(gpus) };
}

/**
 * The engine's create request for one container. Safe settings are not optional here: every container is
 * unprivileged unless the server allowed otherwise, cannot gain privileges, has a pids and memory limit with no
 * extra swap, and has no log driver (output comes from the attach stream).
 */
export function containerCreateOptions(spec: ContainerSpec, now = Date.now()): Docker.ContainerCreateOptions {
  const { settings } = spec;
  const exposed: Record<string, object> = {};
  const bindings: Record<string, { HostPort: string }[]> = {};
  for (const port of settings.publish) {
    const key = `${port.containerPort}/${port.protocol}`;
    exposed[key] = {};
    // One container port may be published on several host ports, as with repeated `docker run -p`.
    (bindings[key] ??= []).push({ HostPort: port.hostPort === undefined ? '' : String(port.hostPort) });
  }
  const hostConfig: Docker.HostConfig = {
    // Not AutoRemove: it races with wait and attach (404s). The container is removed in cleanup.
    AutoRemove: false,
    Privileged: settings.privileged,
    SecurityOpt: ['no-new-privileges'],
    ...((settings.capDrop?.length ?? 0) > 0 && !settings.privileged ? { CapDrop: [...(settings.capDrop ?? [])] } : {}),
    PidsLimit: settings.pidsLimit,
    Memory: settings.memoryBytes,
    // Equal to Memory: no swap on top of the memory limit.
    MemorySwap: settings.memoryBytes,
    NetworkMode: settings.network,
    ReadonlyRootfs: settings.readOnly,
    LogConfig: { Type: 'none', Config: {} },
    Binds: settings.volumes.map((volume) => `${volume.source}:${volume.target}${volume.readOnly ? ':ro' : ''}`),
    Mounts: spec.mounts.map((mount) => ({
      Type: 'volume' as const,
      Source: mount.volume,
      Target: mount.target,
      ReadOnly: mount.readOnly,
    })),
    ...(settings.cpus === undefined ? {} : { NanoCpus: Math.round(settings.cpus * 1e9) }),
    ...(settings.cpusetCpus === undefined ? {} : { CpusetCpus: settings.cpusetCpus }),
    ...(settings.shmSizeBytes === undefined ? {} : { ShmSize: settings.shmSizeBytes }),
    ...(settings.gpus === undefined ? {} : { DeviceRequests: [gpuDeviceRequest(settings.gpus)] }),
    ...(settings.tmpfs.length === 0
      ? {}
      : { Tmpfs: Object.fromEntries(settings.tmpfs.map((mount) => [mount.target, mount.options ?? ''])) }),
    ...(settings.publish.length === 0 ? {} : { PortBindings: bindings }),
  };
  return {
    Image: spec.image,
    Cmd: spec.argv,
    ...(spec.workDir === undefined ? {} : { WorkingDir: spec.workDir }),
    ...(settings.user === undefined ? {} : { User: settings.user }),
    ...(settings.hostname === undefined ? {} : { Hostname: settings.hostname }),
    ...(settings.entrypoint === undefined ? {} : { Entrypoint: settings.entrypoint }),
    ...(settings.publish.length === 0 ? {} : { ExposedPorts: exposed }),
    Env: Object.entries(spec.env).map(([name, value]) => `${name}=${value}`),
    Labels:
      spec.deadlineMs === undefined
        ? spec.labels
        : {
            ...spec.labels,
            [LABELS.deadline]: String(Math.ceil((now + spec.deadlineMs + REAPER_GRACE_MS) / 1000)),
          },
    Tty: false,
    AttachStdin: false,
    AttachStdout: true,
    AttachStderr: true,
    OpenStdin: false,
    HostConfig: hostConfig,
  };
}
