import type { OutputSink } from '../container-backend.js';

const HEADER_BYTES = 8;

/**
 * Splits Docker's multiplexed attach stream (Tty: false) into stdout and stderr. Each frame is an 8-byte header
 * (stream type, 3 zero bytes, big-endian payload length) and its payload. Unlike docker-modem's demuxStream, it
 * never concatenates what it has buffered with each new chunk, so a flood of output costs linear time: payload
 * bytes are handed on as slices of the chunks they arrived in.
 */
export class StreamDemuxer {
  readonly #header = Buffer.alloc(HEADER_BYTES);
  #headerFill = 0;
  /** Payload bytes still to come for the current frame, and where they go. */
  #remaining = 0;
  #target: OutputSink | undefined;

  constructor(
    private readonly stdout: OutputSink,
    private readonly stderr: OutputSink,
  ) {}

  write(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length) {
      if (this.#remaining > 0) {
        const take = Math.min(this.#remaining, chunk.length - at);
        this.#target?.write(chunk.subarray(at, at + take));
        this.#remaining -= take;
        at += take;
        continue;
      }
      const take = Math.min(HEADER_BYTES - this.#headerFill, chunk.length - at);
      chunk.copy(this.#header, this.#headerFill, at, at + take);
      this.#headerFill += take;
      at += take;
      if (this.#headerFill < HEADER_BYTES) return;
      this.#headerFill = 0;
      const type = this.#header.readUInt8(0);
      this.#remaining = this.#header.readUInt32BE(4);
      // 1 = stdout, 2 = stderr; stdin (0) echoes are dropped.
      this.#target = type === 1 ? this.stdout : type === 2 ? this.stderr : undefined;
    }
  }
}
