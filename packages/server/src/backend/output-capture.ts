import type { ContainerOutcome, OutputSink, RunContainerOptions } from './container-backend.js';
import { StreamDemuxer } from './docker/stream-demuxer.js';
import { OutputCollector } from './output-collector.js';

/**
 * What one container printed, as every backend captures it: Docker's multiplexed stream (an attach, or a
 * service's logs) split into stdout and stderr, each kept within `maxBytes`, with the run's stderr filter (a
 * cucumber file's channel decoder) in front of the kept stderr from the first byte, so results stream live on any
 * backend.
 */
export class OutputCapture {
  readonly #stdout: OutputCollector;
  readonly #stderr: OutputCollector;
  readonly #filter: (OutputSink & { end(): void }) | undefined;
  readonly #demuxer: StreamDemuxer;
  #ended = false;

  constructor(maxBytes: number, stderrFilter: RunContainerOptions['stderrFilter']) {
    this.#stdout = new OutputCollector('stdout', maxBytes);
    this.#stderr = new OutputCollector('stderr', maxBytes);
    this.#filter = stderrFilter?.(this.#stderr);
    this.#demuxer = new StreamDemuxer(this.#stdout, this.#filter ?? this.#stderr);
  }

  /** Multiplexed bytes, as the engine sends them. */
  write(chunk: Buffer): void {
    if (!this.#ended) this.#demuxer.write(chunk);
  }

  /** The stream is over: what the filter holds back is settled. Safe to call twice. */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#filter?.end();
  }

  result(): Pick<ContainerOutcome, 'stdout' | 'stderr'> {
    return { stdout: this.#stdout.result(), stderr: this.#stderr.result() };
  }
}
