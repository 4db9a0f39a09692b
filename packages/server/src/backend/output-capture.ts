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

  constructor(
    maxBytes: number,
    stderrFilter: RunContainerOptions['stderrFilter'],
    onOutput?: RunContainerOptions['onOutput'],
  ) {
    this.#stdout = new OutputCollector('stdout', maxBytes);
    this.#stderr = new OutputCollector('stderr', maxBytes);
    const stdout = teed(this.#stdout, 'stdout', onOutput);
    this.#filter = stderrFilter?.(teed(this.#stderr, 'stderr', onOutput));
    this.#demuxer = new StreamDemuxer(stdout, this.#filter ?? teed(this.#stderr, 'stderr', onOutput));
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

/** A sink that also hands each chunk to a live listener (the dashboard's output tail). */
function teed(sink: OutputSink, stream: 'stdout' | 'stderr', onOutput: RunContainerOptions['onOutput']): OutputSink {
  if (onOutput === undefined) return sink;
  return {
    write: (chunk) => {
      onOutput(stream, chunk);
      return sink.write(chunk);
    },
  };
}
