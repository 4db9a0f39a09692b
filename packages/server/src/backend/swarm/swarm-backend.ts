import { createDockerClient } from '../docker/docker-client.js';
import { BaleenError, type PullPolicy } from '@baleen/protocol';
import Docker from 'dockerode';
import type { Logger } from 'pino';
import type { ContainerBackend, ContainerOutcome, ContainerSpec, RunContainerOptions } from '../container-backend.js';
import { LABELS, unkeptServerIds } from '../container-labels.js';
import { DockerBackend } from '../docker/docker-backend.js';
import { dockerMessage, isUnreachable, statusCodeOf, unreachableError } from '../docker/docker-errors.js';
import { labelFilter } from '../docker/label-filter.js';
import { SwarmServiceRun } from './swarm-service-run.js';

/**
 * Docker Swarm: each test file is a one-task `replicated-job` service that the swarm places on any node. The
 * engine it talks to must be a swarm manager. Images, volumes and the sweep of plain containers go through the
 * manager's engine as on the docker backend; the sweep also removes services.
 */
export class SwarmBackend implements ContainerBackend {
  readonly engine: string;
  readonly liveOutput = false;
  readonly workspaceUnsupported =
    'the swarm backend cannot place a synced workspace (--sync): a service gets no files before it starts — ' +
    'bake the project into the image, or use the docker backend';
  readonly #docker: Docker;
  readonly #local: DockerBackend;
  readonly #nodeNames = new Map<string, string>();

  constructor(
    private readonly log: Logger,
    docker?: Docker,
  ) {
    this.#docker = docker ?? createDockerClient();
    this.#local = new DockerBackend(log, this.#docker);
    this.engine = `swarm via ${this.#local.engine}`;
  }

  async ping(): Promise<void> {
    await this.#local.ping();
    try {
      await this.#docker.swarmInspect();
    } catch (error) {
      if (isUnreachable(error)) throw unreachableError(this.engine, error);
      throw new BaleenError(
        'DOCKER_UNREACHABLE',
        `the Docker engine at ${this.#local.engine} is not a swarm manager (${dockerMessage(error)}) — run ` +
          `docker swarm init on it, or use --backend docker`,
        { cause: error },
      );
    }
  }

  /** Checked on the manager; a worker without the image fails its task with "image X is not on node Y". */
  ensureImage(image: string, pull: PullPolicy): Promise<void> {
    return this.#local.ensureImage(image, pull);
  }

  createVolume(labels: Record<string, string>): Promise<string> {
    return this.#local.createVolume(labels);
  }

  removeVolumes(labels: Record<string, string>): Promise<number> {
    return this.#local.removeVolumes(labels);
  }

  run(spec: ContainerSpec, options: RunContainerOptions): Promise<ContainerOutcome> {
    return new SwarmServiceRun(this.#docker, this.engine, spec, this.log, (id) => this.#nodeName(id)).run(options);
  }

  async removeContainers(labels: Record<string, string>): Promise<number> {
    const services = await this.#docker.listServices({ filters: labelFilter(labels) });
    let removed = 0;
    await Promise.all(
      services.map(async (service) => {
        try {
          await this.#docker.getService(service.ID).remove();
          removed += 1;
        } catch (error) {
          if (statusCodeOf(error) !== 404) {
            this.log.warn({ service: service.ID, err: dockerMessage(error) }, 'sweep could not remove service');
          }
        }
      }),
    );
    return removed + (await this.#local.removeContainers(labels));
  }

  async listServerIds(): Promise<string[]> {
    const [services, local] = await Promise.all([
      this.#docker.listServices({ filters: labelFilter({ [LABELS.managed]: 'true' }) }),
      this.#local.listServerIds(),
    ]);
    return [...new Set([...unkeptServerIds(services.map((service) => service.Spec?.Labels)), ...local])];
  }

  /** The node's host name, as a person knows it; its id when the name cannot be had. */
  async #nodeName(id: string): Promise<string> {
    const known = this.#nodeNames.get(id);
    if (known !== undefined) return known;
    try {
      const info = (await this.#docker.getNode(id).inspect()) as { Description?: { Hostname?: string } };
      const name = info.Description?.Hostname ?? id;
      this.#nodeNames.set(id, name);
      return name;
    } catch {
      return id;
    }
  }
}
