import path from 'node:path';
import { parseEnvOptions } from './env-option.js';

export interface BuildFlags {
  build?: string;
  dockerfile?: string;
  buildArg?: string[];
  tag?: string;
  image?: string;
}

/** The image a `--build` produces: --tag, else --image, else one named after the directory. */
export function builtImageName(flags: BuildFlags, cwd: string): string {
  if (flags.tag !== undefined) return flags.tag;
  if (flags.image !== undefined) return flags.image;
  const base = path
    .basename(path.resolve(cwd, flags.build ?? '.'))
    .toLowerCase()
    .replace(/[^a-z0-9_.-]+/g, '-');
  return `baleen-build-${base.replace(/^[^a-z0-9]+/, '') || 'project'}:latest`;
}

/**
 * `--build DIR`: builds the image on this machine's Docker engine (DOCKER_HOST or the default socket) before the
 * run, streaming the log. A failed build throws, so the run never starts on a stale image.
 */
export async function buildBeforeRun(
  flags: BuildFlags & { build: string },
  cwd: string,
  onLog: (line: string) => void,
) {
  const tag = builtImageName(flags, cwd);
  // The server package (dockerode and the rest) is loaded only when there is something to build.
  const { buildImageOnLocalEngine } = await import('@baleen/server');
  await buildImageOnLocalEngine({
    context: path.resolve(cwd, flags.build),
    ...(flags.dockerfile === undefined ? {} : { dockerfile: flags.dockerfile }),
    ...(flags.buildArg === undefined || flags.buildArg.length === 0
      ? {}
      : { buildArgs: parseEnvOptions(flags.buildArg, process.env, '--build-arg') }),
    tag,
    onLog,
  });
  return tag;
}
