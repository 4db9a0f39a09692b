import Docker from 'dockerode';
import type { Logger } from 'pino';
import type { ContainerBackend, ContainerOutcome, ContainerSpec, RunContainerOptions } from '../container-backend.js';
import { DockerContainerRun } from './docker-container-run.js';
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
  readonly #docker: Docker;

  constructor(
    private readonly log: Logger,
    docker?: Docker,
  ) {
    this.#docker = docker ?? new Docker();
    this.engine = describeDockerEngine();
  }

  async ping(): Promise<void> {
    try {
      await this.#docker.ping();
    } catch (error) {
      throw isUnreachable(error) ? unreachableError(this.engine, error) : toBaleenError(error, this.engine, 'ping');
    }
  }

  async ensureImage(image: string): Promise<void> {
    try {
      await this.#docker.getImage(image).inspect();
    } catch (error) {
      if (statusCodeOf(error) === 404) throw imageNotFoundError(image, this.engine, error);
      throw toBaleenError(error, this.engine, `inspecting image '${image}'`);
    }
  }

  run(spec: ContainerSpec, options: RunContainerOptions): Promise<ContainerOutcome> {
    return new DockerContainerRun(this.#docker, this.engine, spec, this.log).run(options);
  }

  async removeContainers(labels: Record<string, string>): Promise<number> {
    const filters = { label: Object.entries(labels).map(([key, value]) => `${key}=${value}`) };
    const found = await this.#docker.listContainers({ all: true, filters: JSON.stringify(filters) });
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
}
