import type { ContainerOutcome, OutputSink, RunContainerOptions } from './container-backend.js';
import { StreamDemuxer } from './docker/stream-demuxer.js';
import { OutputCollector } from './output-collector.js';

/** Passes bytes on and counts them. */
class CountingSink implements OutputSink {
  bytes = 0;
  constructor(private readonly next: OutputSink) {}
  write(chunk: Buffer | string): boolean {
    this.bytes += Buffer.byteLength(chunk);
    return this.next.write(chunk);
  }
}

/** Drops the first `skip` bytes, then passes the rest on. */
class SkippingSink implements OutputSink {
  constructor(
    private readonly next: OutputSink,
    private skip: number,
  ) {}
  write(chunk: Buffer | string): boolean {
    let bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
    if (this.skip > 0) {
      const dropped = Math.min(this.skip, bytes.length);
      this.skip -= dropped;
      bytes = bytes.subarray(dropped);
    }
    return bytes.length === 0 ? true : this.next.write(bytes);
  }
}

/**
 * What one container printed, as every backend captures it: Docker's multiplexed stream (an attach, or a
 * service's logs) split into stdout and stderr, each kept within `maxBytes`, with the run's stderr filter (a
 * cucumber file's channel decoder) in front of the kept stderr from the first byte.
 *
 * A followed log that never ends (a Swarm service outlives its task) is completed with `replay()`: a second,
 * whole read of the same log, of which each stream's bytes already delivered are skipped. A log keeps each
 * stream's bytes in order, so what was delivered live is a prefix of each stream in the whole read.
 */
export class OutputCapture {
  readonly #stdout: OutputCollector;
  readonly #stderr: OutputCollector;
  readonly #filter: (OutputSink & { end(): void }) | undefined;
  readonly #live: { stdout: CountingSink; stderr: CountingSink };
  #demuxer: StreamDemuxer;
  #ended = false;

  constructor(
    maxBytes: number,
    stderrFilter: RunContainerOptions['stderrFilter'],
    onOutput?: RunContainerOptions['onOutput'],
  ) {
    this.#stdout = new OutputCollector('stdout', maxBytes);
    this.#stderr = new OutputCollector('stderr', maxBytes);
    this.#filter = stderrFilter?.(teed(this.#stderr, 'stderr', onOutput));
    this.#live = {
      stdout: new CountingSink(teed(this.#stdout, 'stdout', onOutput)),
      stderr: new CountingSink(this.#filter ?? teed(this.#stderr, 'stderr', onOutput)),
    };
    this.#demuxer = new StreamDemuxer(this.#live.stdout, this.#live.stderr);
  }

  /** Multiplexed bytes, as the engine sends them. */
  write(chunk: Buffer): void {
    if (!this.#ended) this.#demuxer.write(chunk);
  }

  /**
   * From now on `write` takes a whole read of the log from its start; what each stream delivered so far is not
   * delivered again. A frame the live read had only begun is read whole again.
   */
  replay(): void {
    this.#demuxer = new StreamDemuxer(
      new SkippingSink(this.#live.stdout, this.#live.stdout.bytes),
      new SkippingSink(this.#live.stderr, this.#live.stderr.bytes),
    );
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
