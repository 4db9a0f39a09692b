import { BaleenError, type BoundPort } from '@baleen/protocol';
import type Docker from 'dockerode';
import type { Logger } from 'pino';
import type { ContainerOutcome, ContainerSpec, RunContainerOptions } from '../container-backend.js';
import { OutputCapture } from '../output-capture.js';
import { containerCreateOptions } from './container-create-options.js';
import { dockerMessage, imageNotFoundError, statusCodeOf, toBaleenError } from './docker-errors.js';

/** How long to wait for the attach stream to deliver the last bytes after the container exited. */
export const STREAM_DRAIN_TIMEOUT_MS = 5_000;
/** How long a killed container may take to be reported stopped before the engine is considered stuck. */
export const KILLED_EXIT_TIMEOUT_MS = 20_000;

type State = 'new' | 'created' | 'attached' | 'started' | 'exited' | 'removed';

/**
 * One container's whole life: create -> attach -> start -> wait (or kill) -> collect -> remove.
 * Attaching before start is what keeps the first bytes of a container that prints and exits at once;
 * `Tty: false` keeps stdout and stderr apart. Removal runs in `finally`, so nothing is left behind
 * whatever happened, and a failure to remove never hides the error that ended the run.
 */
export class DockerContainerRun {
  #state: State = 'new';
  #container: Docker.Container | undefined;
  #stream: NodeJS.ReadableStream | undefined;
  #capture: OutputCapture;

  constructor(
    private readonly docker: Docker,
    private readonly engine: string,
    private readonly spec: ContainerSpec,
    private log: Logger,
  ) {
    this.#capture = new OutputCapture(spec.maxOutputBytes, undefined);
  }

  async run({ signal, onStarted, stderrFilter, onOutput }: RunContainerOptions): Promise<ContainerOutcome> {
    try {
      if (signal.aborted) return this.#outcome('interrupted', null);
      const container = await this.#create();
      if (this.spec.workspace !== undefined) await this.#placeWorkspace(container, this.spec.workspace);
      this.#capture = new OutputCapture(this.spec.maxOutputBytes, stderrFilter, onOutput);
      const { drained } = await this.#attach(container);
      // Checked after every await: a cancellation that arrived meanwhile must not start a container.
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- it can change during the awaits
      if (signal.aborted) return this.#outcome('interrupted', null);
      await this.#start(container);
      onStarted({
        containerId: container.id,
        ports: this.spec.settings.publish.length === 0 ? [] : await this.#boundPorts(container),
      });
      const { exitCode, killed } = await this.#waitOrKill(container, signal);
      await withTimeout(drained, STREAM_DRAIN_TIMEOUT_MS);
      this.#capture.end();
      // Only a SIGKILLed process can have met the memory limit: other exits skip the extra engine call.
      const oomKilled = !killed && exitCode === 137 && (await this.#oomKilled(container));
      return this.#outcome(killed ? 'interrupted' : 'exited', exitCode, oomKilled);
    } catch (error) {
      throw this.#withKeptContainer(error);
    } finally {
      await this.#cleanup();
    }
  }

  /** A file that ends in `error` has no outcome to carry `kept`: its message names the kept container instead. */
  #withKeptContainer(error: unknown): unknown {
    if (!this.spec.settings.keep || this.#container === undefined || !(error instanceof BaleenError)) return error;
    return new BaleenError(
      error.code,
      `${error.message} (container kept (--keep): docker rm -f ${this.#container.id})`,
      {
        cause: error,
      },
    );
  }

  /** Unpacks the synced tree at the work dir (the image's own when none is given), over what the image has there. */
  async #placeWorkspace(container: Docker.Container, archive: () => NodeJS.ReadableStream): Promise<void> {
    try {
      const workDir = this.spec.workDir ?? ((await container.inspect()).Config.WorkingDir || '/');
      // The engine answers once it has unpacked the whole upload (the body is read to its end by docker-modem).
      await container.putArchive(archive(), { path: workDir });
    } catch (error) {
      throw toBaleenError(error, this.engine, 'placing the synced workspace in the container');
    }
  }

  async #create(): Promise<Docker.Container> {
    const { spec } = this;
    try {
      this.#container = await this.docker.createContainer(containerCreateOptions(spec));
    } catch (error) {
      if (statusCodeOf(error) === 404) throw imageNotFoundError(spec.image, this.engine, error);
      throw toBaleenError(error, this.engine, 'creating the container');
    }
    this.#state = 'created';
    this.log = this.log.child({ containerId: this.#container.id.slice(0, 12) });
    this.log.debug('container created');
    return this.#container;
  }

  /** `drained` resolves when the attach stream has delivered everything. */
  async #attach(container: Docker.Container): Promise<{ drained: Promise<void> }> {
    let stream: NodeJS.ReadWriteStream;
    try {
      stream = await container.attach({ stream: true, stdout: true, stderr: true });
    } catch (error) {
      throw toBaleenError(error, this.engine, 'attaching to the container');
    }
    this.#stream = stream;
    const drained = new Promise<void>((resolve) => {
      stream.once('end', resolve);
      stream.once('close', resolve);
      stream.once('error', (error: Error) => {
        this.log.warn({ err: error }, 'output stream failed');
        resolve();
      });
    });
    stream.on('data', (chunk: Buffer) => {
      this.#capture.write(chunk);
    });
    this.#state = 'attached';
    return { drained };
  }

  async #start(container: Docker.Container): Promise<void> {
    try {
      await container.start();
    } catch (error) {
      throw toBaleenError(error, this.engine, `starting the container for ${this.spec.argv.join(' ')}`);
    }
    this.#state = 'started';
    this.log.debug('container started');
  }

  /*
   * Start, then wait for "not-running": that returns at once for a container that already exited. (A
   * "next-exit" wait sent beside start hangs forever when the container exits first.) Wait has no timeout
   * of its own, so the signal (run cancelled, or the file's deadline) kills the container.
   */
  async #waitOrKill(
    container: Docker.Container,
    signal: AbortSignal,
  ): Promise<{ exitCode: number | null; killed: boolean }> {
    try {
      const waited = container.wait({ condition: 'not-running' }) as Promise<{ StatusCode: number }>;
      const exitedFirst = await raceAbort(waited, signal);
      if (exitedFirst !== undefined) {
        this.#state = 'exited';
        return { exitCode: exitedFirst.StatusCode, killed: false };
      }
      const killing = this.#kill(container);
      const result = await withDeadline(waited, KILLED_EXIT_TIMEOUT_MS, this.#stuck);
      this.#state = 'exited';
      return { exitCode: result.StatusCode, killed: await killing };
    } catch (error) {
      throw toBaleenError(error, this.engine, 'waiting for the container');
    }
  }

  async #boundPorts(container: Docker.Container): Promise<BoundPort[]> {
    try {
      const info = await container.inspect();
      const ports: BoundPort[] = [];
      // A port that is exposed but not published maps to null.
      const published = info.NetworkSettings.Ports as Record<string, { HostIp: string; HostPort: string }[] | null>;
      for (const [key, bindings] of Object.entries(published)) {
        const [port, protocol] = key.split('/');
        for (const binding of bindings ?? []) {
          ports.push({
            containerPort: Number(port),
            protocol: protocol === 'udp' ? 'udp' : 'tcp',
            hostIp: binding.HostIp,
            hostPort: Number(binding.HostPort),
          });
        }
      }
      return ports;
    } catch (error) {
      this.log.warn({ err: dockerMessage(error) }, 'could not read the bound ports');
      return [];
    }
  }

  async #oomKilled(container: Docker.Container): Promise<boolean> {
    try {
      return (await container.inspect()).State.OOMKilled;
    } catch {
      return false;
    }
  }

  readonly #stuck = (): Error =>
    new Error(`the container did not stop within ${KILLED_EXIT_TIMEOUT_MS / 1000} s of being killed`);

  /** Resolves true when this kill stopped the container, false when it had already stopped by itself. */
  async #kill(container: Docker.Container): Promise<boolean> {
    try {
      await container.kill({ signal: 'SIGKILL' });
      this.log.debug('container killed');
      return true;
    } catch (error) {
      const status = statusCodeOf(error);
      if (status === 404 || status === 409 || status === 304) return false;
      this.log.warn({ err: dockerMessage(error) }, 'kill failed');
      return false;
    }
  }

  async #cleanup(): Promise<void> {
    this.#stream?.removeAllListeners('data');
    (this.#stream as { destroy?: () => void } | undefined)?.destroy?.();
    const container = this.#container;
    if (container === undefined || this.#state === 'removed') return;
    if (this.spec.settings.keep) {
      this.log.info('container kept (keep)');
      return;
    }
    try {
      await container.remove({ force: true, v: true });
      this.log.debug('container removed');
    } catch (error) {
      const status = statusCodeOf(error);
      // 404: already gone; 409: removal already in progress. Anything else is left for the run's sweep.
      if (status !== 404 && status !== 409) this.log.warn({ err: dockerMessage(error) }, 'container removal failed');
    }
    this.#state = 'removed';
  }

  #outcome(end: ContainerOutcome['end'], exitCode: number | null, oomKilled = false): ContainerOutcome {
    return {
      containerId: this.#container?.id ?? null,
      end,
      exitCode,
      oomKilled,
      kept: this.spec.settings.keep && this.#container !== undefined,
      ...this.#capture.result(),
    };
  }
}

/** Resolves with the promise's value, or undefined if the signal aborts first. */
function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T | undefined> {
  if (signal.aborted) return Promise.resolve(undefined);
  return new Promise<T | undefined>((resolve, reject) => {
    const onAbort = (): void => resolve(undefined);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

function withDeadline<T>(promise: Promise<T>, ms: number, makeError: () => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(makeError()), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

async function withTimeout(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  try {
    await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
