import { readdir } from 'node:fs/promises';
import { BaleenError } from '@baleen/protocol';
import type Docker from 'dockerode';
import { dockerMessage, isUnreachable, toBaleenError, unreachableError } from './docker-errors.js';

export interface BuildImageOptions {
  /** The build context: a directory on this machine. */
  context: string;
  /** Relative to the context; default `Dockerfile`. */
  dockerfile?: string;
  buildArgs?: Record<string, string>;
  tag: string;
  /** Every line of the build log as it arrives. */
  onLog?: (line: string) => void;
}

interface BuildEvent {
  stream?: string;
  status?: string;
  error?: string;
  errorDetail?: { message?: string };
  aux?: { ID?: string };
}

/**
 * Builds an image on the engine from a local directory, streaming the log. The context honours its
 * .dockerignore (dockerode packs it). A failed step ends in a BaleenError carrying the engine's message.
 */
export async function buildImage(docker: Docker, engine: string, options: BuildImageOptions): Promise<void> {
  let entries: string[];
  try {
    entries = await readdir(options.context);
  } catch (error) {
    throw new BaleenError(
      'USAGE',
      `--build ${options.context}: cannot read the directory (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
    );
  }
  let stream: NodeJS.ReadableStream;
  try {
    stream = await docker.buildImage(
      { context: options.context, src: entries },
      {
        t: options.tag,
        // A failed step would otherwise leave its intermediate container on the engine, unlabelled and forever.
        forcerm: true,
        ...(options.dockerfile === undefined ? {} : { dockerfile: options.dockerfile }),
        ...(options.buildArgs === undefined ? {} : { buildargs: options.buildArgs }),
        labels: { 'baleen.built': 'true' },
      },
    );
  } catch (error) {
    if (isUnreachable(error)) throw unreachableError(engine, error);
    throw toBaleenError(error, engine, `building ${options.context}`);
  }
  const failure = await new Promise<string | undefined>((resolve, reject) => {
    let failed: string | undefined;
    docker.modem.followProgress(
      stream,
      (error: Error | null) => {
        if (error !== null) reject(error);
        else resolve(failed);
      },
      (event: BuildEvent) => {
        const text = event.stream ?? event.status;
        if (text !== undefined) {
          for (const line of text.split('\n')) if (line.trim() !== '') options.onLog?.(line);
        }
        if (event.error !== undefined) failed = event.errorDetail?.message ?? event.error;
      },
    );
  }).catch((error: unknown) => dockerMessage(error));
  if (failure !== undefined) {
    throw new BaleenError(
      'IMAGE_BUILD_FAILED',
      `building the image ${options.tag} from ${options.context} failed: ${failure.trim()} — the run did not start`,
    );
  }
}
