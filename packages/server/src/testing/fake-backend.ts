import { BaleenError } from '@baleen/protocol';
import { encodeFrames, runnerConfigOf } from '../cucumber/channel-frames.js';
import type {
  ContainerBackend,
  ContainerOutcome,
  ContainerSpec,
  RunContainerOptions,
} from '../backend/container-backend.js';

/** How the fake "container" for one file behaves: how long it takes and how it ends. */
export interface FakeBehaviour {
  durationMs: number;
  exitCode?: number;
  stdout?: string;
  stderr?: string;
  /** Throw this from run() instead of running (e.g. a start failure). */
  fail?: BaleenError;
  /** Write cucumber's testRunStarted envelope to stderr this long after starting (its start-up ends). */
  runStartedAfterMs?: number;
  /**
   * A cucumber file: what Baleen's in-container runner sends on its channel at the end (cucumber envelopes or
   * `{ baleen: ... }` messages), after its hello unless `noHello`.
   */
  messages?: readonly unknown[];
  noHello?: boolean;
  /** Raw bytes for the channel, made from its marker (to write damaged frames). */
  rawChannel?: (marker: string) => string;
}

/**
 * A container backend for unit-testing the scheduler only: no Docker, just timers. It records what ran and
 * how many ran at once, so tests can check the pool's shape. Never used where Docker behaviour is claimed.
 */
export class FakeBackend implements ContainerBackend {
  readonly engine = 'fake://engine';
  readonly liveOutput = true;
  running = 0;
  maxRunning = 0;
  readonly started: { file: string; at: number }[] = [];
  readonly finished: { file: string; at: number }[] = [];
  readonly specs: ContainerSpec[] = [];
  imageMissing = false;
  removedSweeps = 0;
  #next = 0;

  constructor(private readonly behaviour: (file: string, context: { targets: readonly string[] }) => FakeBehaviour) {}

  ping(): Promise<void> {
    return Promise.resolve();
  }

  readonly volumes = new Set<string>();

  createVolume(): Promise<string> {
    const name = `fake-volume-${String(this.#next++)}`;
    this.volumes.add(name);
    return Promise.resolve(name);
  }

  removeVolumes(): Promise<number> {
    const count = this.volumes.size;
    this.volumes.clear();
    return Promise.resolve(count);
  }

  ensureImage(image: string): Promise<void> {
    if (this.imageMissing)
      return Promise.reject(new BaleenError('IMAGE_NOT_FOUND', `image '${image}' not found on ${this.engine}`));
    return Promise.resolve();
  }

  async run(spec: ContainerSpec, { signal, onStarted, stderrFilter }: RunContainerOptions): Promise<ContainerOutcome> {
    const file = spec.env['BALEEN_FILE'] ?? '?';
    const channel = runnerConfigOf(spec.argv.slice(spec.argv.indexOf('node')));
    const behaviour = this.behaviour(file, { targets: channel?.targets ?? [] });
    this.specs.push(spec);
    if (behaviour.fail !== undefined) throw behaviour.fail;
    const containerId = `fake-${String(this.#next++)}`;
    this.running += 1;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    this.started.push({ file, at: performance.now() });
    onStarted({ containerId, ports: [] });
    // Feeds scripted stderr through the filter as a real backend would; a cucumber file's channel is framed with
    // the marker its command carries, as the in-container runner frames it.
    const stderrText = { text: '', truncated: false, totalBytes: 0 };
    const kept = { write: (chunk: Buffer | string) => ((stderrText.text += chunk.toString()), true) };
    const filter = stderrFilter?.(kept);
    let sequence = 0;
    const send = (messages: readonly unknown[]): void => {
      if (channel === undefined) return;
      const frames = encodeFrames(channel.marker, messages, { firstSequence: sequence });
      (filter ?? kept).write(frames.bytes);
      sequence = frames.nextSequence;
    };
    if (behaviour.noHello !== true) send([{ baleen: { hello: { node: 'v20', pid: 1 } } }]);
    const runStarted =
      behaviour.runStartedAfterMs === undefined
        ? undefined
        : setTimeout(() => {
            send([{ testRunStarted: { timestamp: { seconds: 0, nanos: 0 } } }]);
          }, behaviour.runStartedAfterMs);
    const interrupted = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve(false);
      }, behaviour.durationMs);
      const onAbort = (): void => {
        clearTimeout(timer);
        resolve(true);
      };
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    });
    this.running -= 1;
    clearTimeout(runStarted);
    if (behaviour.stderr !== undefined) (filter ?? kept).write(behaviour.stderr);
    send(behaviour.messages ?? []);
    if (channel !== undefined && behaviour.rawChannel !== undefined) {
      (filter ?? kept).write(behaviour.rawChannel(channel.marker));
    }
    filter?.end();
    this.finished.push({ file, at: performance.now() });
    const output = { text: behaviour.stdout ?? '', truncated: false, totalBytes: (behaviour.stdout ?? '').length };
    return {
      containerId,
      end: interrupted ? 'interrupted' : 'exited',
      oomKilled: false,
      kept: false,
      exitCode: interrupted ? 137 : (behaviour.exitCode ?? 0),
      stdout: output,
      stderr: stderrText,
    };
  }

  removeContainers(): Promise<number> {
    this.removedSweeps += 1;
    return Promise.resolve(0);
  }

  listServerIds(): Promise<string[]> {
    return Promise.resolve([]);
  }
}
