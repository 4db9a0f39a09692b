import { z } from 'zod';
import { MAX_ARG_LENGTH, MAX_ARGS, MAX_PATH_LENGTH } from './limits.js';

/** At most this many volumes, tmpfs mounts or published ports per run. */
export const MAX_MOUNTS = 32;

const absolutePath = z
  .string()
  .min(1)
  .max(MAX_PATH_LENGTH)
  .regex(/^\/[^\0:,]*$/, 'must be an absolute path without ":" or ","');

/**
 * Docker network names and modes (`none`, `bridge`, `host`, a user-defined network). Container-sharing modes
 * (`container:ID`) are not expressible: a test container never joins another container's namespaces.
 */
export const NETWORK_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

export const volumeSchema = z.object({
  /** An absolute host path (a bind mount) or the name of a Docker volume. */
  source: z
    .string()
    .min(1)
    .max(MAX_PATH_LENGTH)
    .regex(/^(\/[^\0:,]*|[A-Za-z0-9][A-Za-z0-9_.-]*)$/, 'must be an absolute host path or a volume name'),
  target: absolutePath,
  readOnly: z.boolean(),
});

export const tmpfsSchema = z.object({
  target: absolutePath,
  /** Mount options as `docker run --tmpfs` takes them, e.g. `size=64m,mode=1777`. */
  options: z
    .string()
    .max(200)
    .regex(/^[A-Za-z0-9=,_.-]*$/, 'must be mount options such as size=64m')
    .optional(),
});

export const publishSchema = z.object({
  containerPort: z.int().min(1).max(65_535),
  /** Omitted: the engine picks a free host port, reported back in `file-started`. */
  hostPort: z.int().min(1).max(65_535).optional(),
  protocol: z.enum(['tcp', 'udp']),
});

/**
 * What a run asks of its containers beyond the image and command. Every field is optional: the server's
 * defaults apply, and the server refuses what it does not allow (privileged, networks, volumes, GPUs, ports,
 * limits above its own) before any container exists.
 */
export const containerRequestSchema = z.strictObject({
  /** At least 6 MiB: the engine refuses less (and each file would fail on it). */
  memoryBytes: z
    .int()
    .min(6 * 1024 * 1024, 'must be at least 6m (the Docker engine’s minimum)')
    .optional(),
  /** CPUs, fractional: 1.5 = one and a half cores. */
  cpus: z.number().positive().max(1_024).optional(),
  cpusetCpus: z
    .string()
    .max(200)
    .regex(/^[0-9]+(-[0-9]+)?(,[0-9]+(-[0-9]+)?)*$/, 'must be a CPU list such as 0-3 or 0,2')
    .optional(),
  pidsLimit: z.int().positive().optional(),
  network: z.string().regex(NETWORK_PATTERN, 'must be none, bridge, host or a network name').optional(),
  privileged: z.boolean().optional(),
  /** `user`, `uid`, `user:group` or `uid:gid`. */
  user: z
    .string()
    .max(100)
    .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]*(:[A-Za-z0-9_][A-Za-z0-9_.-]*)?$/, 'must be user, uid, user:group or uid:gid')
    .optional(),
  hostname: z
    .string()
    .max(63)
    .regex(/^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?$/, 'must be a host name (letters, digits, -)')
    .optional(),
  /** Replaces the image's entrypoint; the test command becomes its arguments. */
  entrypoint: z.array(z.string().max(MAX_ARG_LENGTH)).min(1).max(MAX_ARGS).optional(),
  shmSizeBytes: z.int().positive().optional(),
  /** `all`, a count, or device ids (`device=0,1`), as `docker run --gpus` takes them. */
  gpus: z
    .string()
    .max(200)
    .regex(/^(all|[1-9][0-9]*|device=[A-Za-z0-9-]+(,[A-Za-z0-9-]+)*)$/, 'must be all, a count, or device=ID[,ID]')
    .optional(),
  tmpfs: z.array(tmpfsSchema).max(MAX_MOUNTS).optional(),
  readOnly: z.boolean().optional(),
  volumes: z.array(volumeSchema).max(MAX_MOUNTS).optional(),
  publish: z.array(publishSchema).max(MAX_MOUNTS).optional(),
  /** Debugging: containers are not removed after the run (and the output says so). */
  keep: z.boolean().optional(),
});

export type ContainerRequest = z.infer<typeof containerRequestSchema>;
export type VolumeRequest = z.infer<typeof volumeSchema>;
export type TmpfsRequest = z.infer<typeof tmpfsSchema>;
export type PublishRequest = z.infer<typeof publishSchema>;

/** A host port the engine bound for a published container port. */
export const boundPortSchema = z.object({
  containerPort: z.int(),
  protocol: z.enum(['tcp', 'udp']),
  hostIp: z.string(),
  hostPort: z.int(),
});
export type BoundPort = z.infer<typeof boundPortSchema>;
