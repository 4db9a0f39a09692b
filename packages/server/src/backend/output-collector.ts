/** What is kept of one output stream of one container. */
export interface CollectedOutput {
  text: string;
  truncated: boolean;
  /** Bytes the container wrote to this stream, kept or not. */
  totalBytes: number;
}

/**
 * Runs of control characters (binary output, `head -c 1G /dev/zero`) other than tab, newlines and the escape that
 * starts a colour. Kept as they are, each would become a six-byte `\u0000` in every JSON message and report.
 */
// eslint-disable-next-line no-control-regex -- control characters are what it looks for
const BINARY_RUN = /[\x00-\x08\x0b\x0c\x0e-\x1a\x1c-\x1f\x7f]{16,}/g;

/** The kept text of a stream, with long runs of binary bytes replaced by a note of how many there were. */
function readable(text: string): string {
  return text.replace(BINARY_RUN, (run) => `[baleen: ${run.length} binary bytes not shown]`);
}

/**
 * Keeps at most `maxBytes` of a stream: the first half and the last half, because a test's output matters most
 * at its start (set-up) and its end (the failure and the summary). What falls between is counted, not kept.
 * Memory stays bounded whatever the container writes.
 */
export class OutputCollector {
  readonly #headCap: number;
  readonly #tailCap: number;
  readonly #head: Buffer[] = [];
  #headBytes = 0;
  #tail: Buffer[] = [];
  #tailBytes = 0;
  #totalBytes = 0;

  constructor(
    readonly streamName: string,
    maxBytes: number,
  ) {
    this.#headCap = Math.ceil(maxBytes / 2);
    this.#tailCap = maxBytes - this.#headCap;
  }

  /** Shaped like `Writable.write` so docker-modem's demultiplexer can write into it. */
  write(chunk: Buffer | string): boolean {
    const data = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    this.#totalBytes += data.length;
    let rest = data;
    if (this.#headBytes < this.#headCap) {
      const take = Math.min(this.#headCap - this.#headBytes, rest.length);
      this.#head.push(rest.subarray(0, take));
      this.#headBytes += take;
      rest = rest.subarray(take);
    }
    if (rest.length > 0 && this.#tailCap > 0) this.#pushTail(rest);
    return true;
  }

  #pushTail(data: Buffer): void {
    // A slice of a socket chunk (tens of KiB) is kept as it is; only a chunk larger than the whole tail is
    // copied, so a flood does not allocate a copy of every byte it writes.
    const kept = data.length > this.#tailCap ? Buffer.from(data.subarray(data.length - this.#tailCap)) : data;
    this.#tail.push(kept);
    this.#tailBytes += Math.min(data.length, this.#tailCap);
    while (this.#tailBytes > this.#tailCap) {
      const first = this.#tail[0];
      if (first === undefined) break;
      const excess = this.#tailBytes - this.#tailCap;
      if (first.length <= excess) {
        this.#tail.shift();
        this.#tailBytes -= first.length;
      } else {
        this.#tail[0] = first.subarray(excess);
        this.#tailBytes -= excess;
      }
    }
  }

  get totalBytes(): number {
    return this.#totalBytes;
  }

  result(): CollectedOutput {
    const head = readable(Buffer.concat(this.#head).toString('utf8'));
    const tail = readable(Buffer.concat(this.#tail).toString('utf8'));
    const omitted = this.#totalBytes - this.#headBytes - this.#tailBytes;
    if (omitted <= 0) return { text: head + tail, truncated: false, totalBytes: this.#totalBytes };
    const marker =
      `\n[baleen: ${omitted} bytes of ${this.streamName} omitted here; ` +
      `kept the first ${this.#headBytes} and the last ${this.#tailBytes} of ${this.#totalBytes} bytes]\n`;
    return { text: head + marker + tail, truncated: true, totalBytes: this.#totalBytes };
  }
}
