import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { BaleenError } from '@baleen/protocol';
import type Docker from 'dockerode';
import type { Logger } from 'pino';
import type { ContainerOutcome, ContainerSpec, RunContainerOptions } from '../container-backend.js';
import { dockerMessage, statusCodeOf, toBaleenError } from '../docker/docker-errors.js';
import { OutputCapture } from '../output-capture.js';
import { serviceSpec, unsupportedOnSwarm } from './service-spec.js';

/** How often a service's task is looked at; Swarm has no wait endpoint for tasks. */
export const TASK_POLL_MS = 200;

const ENDED = new Set(['complete', 'failed', 'shutdown', 'rejected', 'orphaned', 'remove']);

interface Task {
  NodeID?: string;
  Status?: {
    State?: string;
    Err?: string;
    ContainerStatus?: { ContainerID?: string; ExitCode?: number };
  };
}

/**
 * One test file as a Swarm service, from creation to removal: create a replicated job, watch its one task until
 * it ends (or the signal removes the service, which stops the task), read its logs with stdout and stderr apart,
 * and remove the service whatever happened.
 *
 * Its logs are followed live from the moment the task has a container, so results stream as on the docker
 * backend. A followed service log never ends (the service outlives its task), so when the task has ended the
 * follow is dropped and the log is read whole once more, keeping only what the follow had not yet delivered.
 */
export class SwarmServiceRun {
  #capture: OutputCapture;
  #service: Docker.Service | undefined;
  #follow: NodeJS.ReadableStream | undefined;

  constructor(
    private readonly docker: Docker,
    private readonly engine: string,
    private readonly spec: ContainerSpec,
    private log: Logger,
    private readonly nodeName: (nodeId: string) => Promise<string>,
  ) {
    this.#capture = new OutputCapture(spec.maxOutputBytes, undefined);
  }

  async run({ signal, onStarted, stderrFilter, onOutput }: RunContainerOptions): Promise<ContainerOutcome> {
    const unsupported = unsupportedOnSwarm(this.spec);
    if (unsupported.length > 0) {
      throw new BaleenError('RUN_REJECTED', `the swarm backend cannot do ${unsupported.join(', ')}`);
    }
    if (signal.aborted) return this.#outcome('interrupted', null, undefined, undefined);
    this.#capture = new OutputCapture(this.spec.maxOutputBytes, stderrFilter, onOutput);
    const name = `baleen-${randomBytes(6).toString('hex')}`;
    try {
      try {
        this.#service = await this.docker.createService(serviceSpec(name, this.spec));
      } catch (error) {
        throw toBaleenError(error, this.engine, 'creating the swarm service');
      }
      this.log = this.log.child({ service: name });
      let started: { containerId: string; node: string } | undefined;
      for (;;) {
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- it changes during the awaits
        if (signal.aborted) {
          // What the file printed before its deadline or cancellation is kept, as on the docker backend, and
          // read through the same filter (a cucumber file's channel frames are not text).
          if (started !== undefined) await this.#readLogs();
          return this.#outcome('interrupted', null, started?.containerId, started?.node);
        }
        const task = await this.#task();
        const state = task?.Status?.State;
        const containerId = task?.Status?.ContainerStatus?.ContainerID;
        if (started === undefined && containerId !== undefined && containerId !== '' && task?.NodeID !== undefined) {
          started = { containerId, node: await this.nodeName(task.NodeID) };
          onStarted({ containerId, ports: [], node: started.node });
          await this.#followLogs();
        }
        if (task !== undefined && state !== undefined && ENDED.has(state)) {
          if (state === 'rejected' || (started === undefined && state !== 'complete')) {
            throw await this.#rejected(task);
          }
          const exitCode = task.Status?.ContainerStatus?.ExitCode ?? (state === 'complete' ? 0 : null);
          await this.#readLogs();
          return this.#outcome('exited', exitCode, started?.containerId, started?.node);
        }
        await sleep(TASK_POLL_MS, undefined, { signal }).catch(() => undefined);
      }
    } finally {
      this.#stopFollowing();
      await this.#remove();
    }
  }

  /** Streams the log as it is written; a failure here only costs liveness, the whole read at the end still runs. */
  async #followLogs(): Promise<void> {
    try {
      const stream = (await this.#service?.logs({ stdout: true, stderr: true, follow: true })) as unknown;
      if (stream === undefined || Buffer.isBuffer(stream)) return;
      this.#follow = stream as NodeJS.ReadableStream;
      this.#follow.on('data', (chunk: Buffer) => {
        this.#capture.write(chunk);
      });
      this.#follow.on('error', (error: unknown) => {
        this.log.debug({ err: dockerMessage(error) }, 'following the service logs stopped');
      });
    } catch (error) {
      this.log.debug({ err: dockerMessage(error) }, 'could not follow the service logs');
    }
  }

  #stopFollowing(): void {
    const follow = this.#follow as (NodeJS.ReadableStream & { destroy?: () => void }) | undefined;
    this.#follow = undefined;
    follow?.removeAllListeners('data');
    follow?.destroy?.();
  }

  async #task(): Promise<Task | undefined> {
    const service = this.#service;
    if (service === undefined) return undefined;
    try {
      const tasks = (await this.docker.listTasks({ filters: JSON.stringify({ service: [service.id] }) })) as Task[];
      return tasks[0];
    } catch (error) {
      throw toBaleenError(error, this.engine, 'watching the swarm task');
    }
  }

  /** A task the node could not run: most often an image that node does not have. */
  async #rejected(task: Task): Promise<BaleenError> {
    const node = task.NodeID === undefined ? 'unknown node' : await this.nodeName(task.NodeID);
    const reason = task.Status?.Err ?? task.Status?.State ?? 'no reason given';
    if (/no such image|not found|pull access denied/i.test(reason)) {
      return new BaleenError(
        'IMAGE_NOT_FOUND',
        `image '${this.spec.image}' is not on node ${node} (${reason}) — load it on every node ` +
          `(docker save | docker load) or push it to a registry the nodes can pull from`,
      );
    }
    return new BaleenError('CONTAINER_FAILED', `the swarm task on node ${node} did not run: ${reason}`);
  }

  /**
   * The whole log of the ended task, through the capture, past what the follow delivered; the capture is settled
   * whatever happened.
   */
  async #readLogs(): Promise<void> {
    const service = this.#service;
    if (service === undefined) return;
    this.#stopFollowing();
    this.#capture.replay();
    try {
      const logs = (await service.logs({ stdout: true, stderr: true, follow: false })) as unknown;
      if (Buffer.isBuffer(logs)) {
        this.#capture.write(logs);
        return;
      }
      await new Promise<void>((resolve) => {
        const stream = logs as NodeJS.ReadableStream;
        stream.on('data', (chunk: Buffer) => {
          this.#capture.write(chunk);
        });
        stream.once('end', resolve);
        stream.once('close', resolve);
        stream.once('error', () => {
          resolve();
        });
      });
    } catch (error) {
      this.log.warn({ err: dockerMessage(error) }, 'could not read the service logs');
    } finally {
      this.#capture.end();
    }
  }

  async #remove(): Promise<void> {
    try {
      await this.#service?.remove();
    } catch (error) {
      if (statusCodeOf(error) !== 404) this.log.warn({ err: dockerMessage(error) }, 'service removal failed');
    }
  }

  #outcome(
    end: ContainerOutcome['end'],
    exitCode: number | null,
    containerId: string | undefined,
    node: string | undefined,
  ): ContainerOutcome {
    return {
      containerId: containerId ?? null,
      end,
      exitCode,
      oomKilled: false,
      kept: false,
      ...(node === undefined ? {} : { node }),
      ...this.#capture.result(),
    };
  }
}
