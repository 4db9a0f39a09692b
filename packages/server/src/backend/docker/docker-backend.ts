import { createDockerClient } from './docker-client.js';
import Docker from 'dockerode';
import { BaleenError, type PullPolicy } from '@baleen/protocol';
import type { Logger } from 'pino';
import type { ContainerBackend, ContainerOutcome, ContainerSpec, RunContainerOptions } from '../container-backend.js';
import { LABELS, unkeptServerIds } from '../container-labels.js';
import { buildImage, type BuildImageOptions } from './build-image.js';
import { DockerContainerRun } from './docker-container-run.js';
import { labelFilter } from './label-filter.js';
import {
  dockerMessage,
  imageNotFoundError,
  isUnreachable,
  statusCodeOf,
  toBaleenError,
  unreachableError,
} from './docker-errors.js';

/** The engine address as a person would write it, for error messages. */
export function describeDockerEngine(env: NodeJS.ProcessEnv = process.env): string {
  return env['DOCKER_HOST'] ?? 'unix:///var/run/docker.sock';
}

/** One Docker engine, from DOCKER_HOST or the default socket. */
export class DockerBackend implements ContainerBackend {
  readonly engine: string;
  readonly liveOutput = true;
  readonly #docker: Docker;

  constructor(
    private readonly log: Logger,
    docker?: Docker,
  ) {
    this.#docker = docker ?? createDockerClient();
    this.engine = describeDockerEngine();
  }

  async ping(): Promise<void> {
    try {
      await this.#docker.ping();
    } catch (error) {
      throw isUnreachable(error) ? unreachableError(this.engine, error) : toBaleenError(error, this.engine, 'ping');
    }
  }

  async ensureImage(image: string, pull: PullPolicy): Promise<void> {
    const present = await this.#hasImage(image);
    if (pull === 'never') {
      if (!present) throw imageNotFoundError(image, this.engine);
      return;
    }
    if (pull === 'missing' && present) return;
    try {
      await this.#pull(image);
    } catch (error) {
      if (isUnreachable(error)) throw unreachableError(this.engine, error);
      if (!present) {
        // The usual case without a registry: say first that the engine lacks the image, then why no pull helped.
        const notFound = imageNotFoundError(image, this.engine, error);
        throw new BaleenError(
          'IMAGE_NOT_FOUND',
          `${notFound.message}; pulling it failed too: ${dockerMessage(error)}`,
          {
            cause: error,
          },
        );
      }
      throw new BaleenError(
        'IMAGE_PULL_FAILED',
        `could not pull image '${image}' on the Docker engine at ${this.engine}: ${dockerMessage(error)} ` +
          '(the engine has an older copy: --pull missing would use it) — check the name and the registry',
        { cause: error },
      );
    }
  }

  async #hasImage(image: string): Promise<boolean> {
    try {
      await this.#docker.getImage(image).inspect();
      return true;
    } catch (error) {
      if (statusCodeOf(error) === 404) return false;
      throw isUnreachable(error)
        ? unreachableError(this.engine, error)
        : toBaleenError(error, this.engine, `inspecting image '${image}'`);
    }
  }

  /** Pulls to the end: the pull stream reports failures as messages, not as an HTTP status. */
  async #pull(image: string): Promise<void> {
    const stream = await this.#docker.pull(image);
    await new Promise<void>((resolve, reject) => {
      this.#docker.modem.followProgress(stream, (error: Error | null, events: { error?: string }[]) => {
        const failed = events.find((event) => event.error !== undefined);
        if (error !== null) reject(error);
        else if (failed?.error !== undefined) reject(new Error(failed.error));
        else resolve();
      });
    });
    this.log.info({ image }, 'pulled image');
  }

  async createVolume(labels: Record<string, string>): Promise<string> {
    try {
      const volume = await this.#docker.createVolume({ Labels: labels });
      return volume.name;
    } catch (error) {
      throw toBaleenError(error, this.engine, 'creating a volume');
    }
  }

  async removeVolumes(labels: Record<string, string>): Promise<number> {
    const found = await this.#listVolumes(labels);
    let removed = 0;
    await Promise.all(
      found.map(async ({ Name }) => {
        try {
          await this.#docker.getVolume(Name).remove({ force: true });
          removed += 1;
        } catch (error) {
          if (statusCodeOf(error) !== 404) {
            this.log.warn({ volume: Name, err: dockerMessage(error) }, 'sweep could not remove volume');
          }
        }
      }),
    );
    return removed;
  }

  /** Builds an image from a directory on this machine (the client's `--build`, with a local engine). */
  build(options: BuildImageOptions): Promise<void> {
    return buildImage(this.#docker, this.engine, options);
  }

  run(spec: ContainerSpec, options: RunContainerOptions): Promise<ContainerOutcome> {
    return new DockerContainerRun(this.#docker, this.engine, spec, this.log).run(options);
  }

  async removeContainers(labels: Record<string, string>): Promise<number> {
    const found = await this.#docker.listContainers({ all: true, filters: labelFilter(labels) });
    let removed = 0;
    await Promise.all(
      found.map(async (info) => {
        try {
          await this.#docker.getContainer(info.Id).remove({ force: true, v: true });
          removed += 1;
        } catch (error) {
          if (statusCodeOf(error) !== 404)
            this.log.warn(
              { containerId: info.Id.slice(0, 12), err: dockerMessage(error) },
              'sweep could not remove container',
            );
        }
      }),
    );
    return removed;
  }

  /** The server ids on what Baleen has on this engine, leaving out what `--keep` runs left for their users. */
  async listServerIds(): Promise<string[]> {
    const managed = { [LABELS.managed]: 'true' };
    const [containers, volumes] = await Promise.all([
      this.#docker.listContainers({ all: true, filters: labelFilter(managed) }),
      this.#listVolumes(managed),
    ]);
    return unkeptServerIds([...containers, ...volumes].map((found) => found.Labels));
  }

  async #listVolumes(
    labels: Record<string, string>,
  ): Promise<{ Name: string; Labels: Record<string, string> | null }[]> {
    // The engine answers `"Volumes": null` when nothing matches, whatever the typings say.
    const listed = (await this.#docker.listVolumes({ filters: labelFilter(labels) })) as {
      Volumes: { Name: string; Labels: Record<string, string> | null }[] | null;
    };
    return listed.Volumes ?? [];
  }
}
