import type { Logger } from 'pino';
import type { ContainerBackend } from '../backend/container-backend.js';
import { LABELS } from '../backend/container-labels.js';
import { isOrphanedEmbeddedServer } from '../server/embedded-owner.js';

/**
 * "Nothing is left behind", in one place: what a run leaves when it ends, what the engine could not remove while it
 * was down, what an earlier instance of this server left (a crash), and what embedded servers of ended processes
 * left. Each container also removes itself (DockerContainerRun); the sweeper is the net under that, and the reaper
 * container (reaper.ts) the net under a server that dies.
 */
export class Sweeper {
  /** Runs whose sweep failed (the engine was down): swept again once the engine answers. */
  readonly #unswept = new Set<string>();

  constructor(
    private readonly backend: ContainerBackend,
    private readonly serverId: string,
    private readonly log: Logger,
  ) {}

  /** Everything of one run, once it has ended: its containers and its volumes. Never throws. */
  async sweepRun(runId: string, log: Logger = this.log): Promise<void> {
    try {
      const labels = { [LABELS.run]: runId, [LABELS.server]: this.serverId };
      const removed = await this.backend.removeContainers(labels);
      if (removed > 0) log.warn({ removed }, 'swept containers left behind by the run');
      await this.backend.removeVolumes(labels);
      this.#unswept.delete(runId);
    } catch (error) {
      log.warn({ err: String(error) }, 'sweep after the run failed; it is retried when the engine answers again');
      this.#unswept.add(runId);
    }
  }

  /** The engine answers again: the runs it could not sweep before are swept now. Never throws. */
  async retryUnswept(): Promise<void> {
    for (const runId of [...this.#unswept]) {
      try {
        const labels = { [LABELS.run]: runId, [LABELS.server]: this.serverId };
        const removed = await this.backend.removeContainers(labels);
        await this.backend.removeVolumes(labels);
        this.#unswept.delete(runId);
        if (removed > 0) this.log.warn({ runId, removed }, 'swept containers of a run the engine lost');
      } catch {
        return;
      }
    }
  }

  /** At start: what an earlier instance with this server's id left (its process crashed). Never throws. */
  async reapEarlierInstance(serverId: string = this.serverId): Promise<void> {
    try {
      const labels = { [LABELS.managed]: 'true', [LABELS.server]: serverId };
      const removed = await this.backend.removeContainers(labels);
      if (removed > 0) this.log.warn({ removed, serverId }, 'removed containers left behind by an ended server');
      const volumes = await this.backend.removeVolumes(labels);
      if (volumes > 0) this.log.warn({ volumes, serverId }, 'removed volumes left behind by an ended server');
    } catch (error) {
      this.log.warn({ err: String(error) }, 'could not sweep what an ended server left');
    }
  }

  /** What embedded servers of processes that have ended on this host left behind (see embedded-owner.ts). */
  async reapOrphanedEmbeddedServers(): Promise<void> {
    let serverIds: string[];
    try {
      serverIds = await this.backend.listServerIds();
    } catch {
      // No engine: the run itself says so.
      return;
    }
    for (const serverId of serverIds.filter((id) => isOrphanedEmbeddedServer(id))) {
      await this.reapEarlierInstance(serverId);
    }
  }
}
