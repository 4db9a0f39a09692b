import { readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  BaleenError,
  containerRequestSchema,
  type ContainerRequest,
  type PublishRequest,
  type TmpfsRequest,
  type VolumeRequest,
} from '@baleen/protocol';
import { parseEnvOptions } from './env-option.js';

/** The container flags as the CLI (or a config file) gives them. */
export interface ContainerFlags {
  memory?: string;
  cpus?: number;
  cpusetCpus?: string;
  pidsLimit?: number;
  network?: string;
  privileged?: boolean;
  user?: string;
  hostname?: string;
  entrypoint?: string;
  shmSize?: string;
  gpus?: string;
  volume?: string[];
  tmpfs?: string[];
  readOnly?: boolean;
  publish?: string[];
  keep?: boolean;
}

const UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/** Docker's size notation: `512m`, `1g`, `1.5g`, `65536` (bytes); an optional trailing `b` (`512mb`). */
export function parseSize(flag: string, value: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([bkmgt]?)b?$/i.exec(value.trim());
  const unit = UNITS[match?.[2]?.toLowerCase() ?? ''];
  if (match?.[1] === undefined || unit === undefined) {
    throw new BaleenError('USAGE', `${flag} '${value}': expected a size such as 512m, 2g or a number of bytes`);
  }
  const bytes = Math.floor(Number(match[1]) * unit);
  if (bytes < 1) throw new BaleenError('USAGE', `${flag} '${value}': must be more than 0 bytes`);
  return bytes;
}

/**
 * `HOST:CONTAINER[:ro|rw]`. A relative host path is taken from the current directory (as the engine needs an
 * absolute one); a name without a slash is a Docker volume.
 */
export function parseVolume(value: string, cwd: string): VolumeRequest {
  const parts = value.split(':');
  const [source, target, mode] = parts;
  if (
    parts.length < 2 ||
    parts.length > 3 ||
    !source ||
    !target ||
    (mode !== undefined && !['ro', 'rw'].includes(mode))
  ) {
    throw new BaleenError('USAGE', `--volume '${value}': expected HOST:CONTAINER or HOST:CONTAINER:ro`);
  }
  const isPath = source.startsWith('.') || source.includes('/');
  return { source: isPath ? path.resolve(cwd, source) : source, target, readOnly: mode === 'ro' };
}

/** `PATH[:OPTIONS]`, e.g. `/scratch:size=64m`. */
export function parseTmpfs(value: string): TmpfsRequest {
  const at = value.indexOf(':');
  return at === -1 ? { target: value } : { target: value.slice(0, at), options: value.slice(at + 1) };
}

/** `CONTAINER[:HOST][/tcp|/udp]`: the container port first; without a host port the engine picks a free one. */
export function parsePublish(value: string): PublishRequest {
  const match = /^(\d+)(?::(\d+))?(?:\/(tcp|udp))?$/.exec(value);
  if (match?.[1] === undefined) {
    throw new BaleenError(
      'USAGE',
      `--publish '${value}': expected CONTAINER_PORT[:HOST_PORT][/tcp|/udp], e.g. 8080 or 8080:18080`,
    );
  }
  return {
    containerPort: Number(match[1]),
    ...(match[2] === undefined ? {} : { hostPort: Number(match[2]) }),
    protocol: match[3] === 'udp' ? 'udp' : 'tcp',
  };
}

/** Turns the flags into the protocol's container request, checked with the same schema the server uses. */
export function containerRequestFrom(flags: ContainerFlags, cwd: string): ContainerRequest | undefined {
  const request: Record<string, unknown> = {
    memoryBytes: flags.memory === undefined ? undefined : parseSize('--memory', flags.memory),
    cpus: flags.cpus,
    cpusetCpus: flags.cpusetCpus,
    pidsLimit: flags.pidsLimit,
    network: flags.network,
    privileged: flags.privileged,
    user: flags.user,
    hostname: flags.hostname,
    entrypoint: flags.entrypoint === undefined ? undefined : [flags.entrypoint],
    shmSizeBytes: flags.shmSize === undefined ? undefined : parseSize('--shm-size', flags.shmSize),
    gpus: flags.gpus,
    volumes: flags.volume?.map((value) => parseVolume(value, cwd)),
    tmpfs: flags.tmpfs?.map(parseTmpfs),
    readOnly: flags.readOnly,
    publish: flags.publish?.map(parsePublish),
    keep: flags.keep,
  };
  // Repeatable flags default to [] on the command line: an empty list asks for nothing.
  const given = Object.fromEntries(
    Object.entries(request).filter(([, value]) => value !== undefined && !(Array.isArray(value) && value.length === 0)),
  );
  if (Object.keys(given).length === 0) return undefined;
  const parsed = containerRequestSchema.safeParse(given);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = String(issue?.path[0] ?? '');
    const flag = FLAG_OF_FIELD[field];
    const where = flag === undefined ? `container option ${issue?.path.join('.') ?? ''}` : flag;
    const value = flag === undefined ? undefined : (flags as Record<string, unknown>)[FLAG_KEY[flag] ?? ''];
    const shown = typeof value === 'string' || typeof value === 'number' ? ` ${String(value)}` : '';
    throw new BaleenError('USAGE', `${where}${shown}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

/**
 * `--env-file` files (KEY=VALUE lines, `#` comments, blank lines; no quoting, as `docker run --env-file`) and
 * then `--env` flags, which win.
 */
export async function environmentFrom(envFiles: readonly string[], envFlags: readonly string[], cwd: string) {
  const entries: string[] = [];
  for (const file of envFiles) {
    let text: string;
    try {
      text = await readFile(path.resolve(cwd, file), 'utf8');
    } catch (error) {
      throw new BaleenError(
        'USAGE',
        `--env-file ${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
      );
    }
    for (const line of text.split(/\r?\n/)) {
      const trimmed = line.trim();
      if (trimmed === '' || trimmed.startsWith('#')) continue;
      entries.push(trimmed);
    }
  }
  return parseEnvOptions([...entries, ...envFlags]);
}

/** The flag behind each field of a container request, to name it when its value is refused. */
const FLAG_OF_FIELD: Record<string, string> = {
  memoryBytes: '--memory',
  cpus: '--cpus',
  cpusetCpus: '--cpuset-cpus',
  pidsLimit: '--pids-limit',
  network: '--network',
  user: '--user',
  hostname: '--hostname',
  entrypoint: '--entrypoint',
  shmSizeBytes: '--shm-size',
  gpus: '--gpus',
  tmpfs: '--tmpfs',
  volumes: '--volume',
  publish: '--publish',
};

/** The option key of each flag above. */
const FLAG_KEY: Record<string, string> = Object.fromEntries(
  Object.values(FLAG_OF_FIELD).map((flag) => [
    flag,
    flag.slice(2).replace(/-([a-z])/g, (_, c: string) => c.toUpperCase()),
  ]),
);
