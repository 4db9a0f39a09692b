/** How long a write may wait for company before it is flushed (milliseconds). */
export const DEFAULT_FLUSH_INTERVAL_MS = 100;
/** How many writes may wait: a flush of this many is a few milliseconds of one transaction. */
export const DEFAULT_MAX_PENDING_WRITES = 500;

/**
 * Holds writes and hands them over in batches: when `maxPending` are waiting, or `intervalMs` after the first of
 * a batch arrived. One transaction per batch instead of one per write keeps a run of 20,000 scenarios from
 * holding the event loop (and the database's write lock) 20,000 times.
 */
export class WriteBuffer<T> {
  readonly #flushBatch: (batch: T[]) => void;
  readonly #intervalMs: number;
  readonly #maxPending: number;
  #pending: T[] = [];
  #timer: NodeJS.Timeout | undefined;

  constructor(flushBatch: (batch: T[]) => void, options: { intervalMs: number; maxPending: number }) {
    this.#flushBatch = flushBatch;
    this.#intervalMs = options.intervalMs;
    this.#maxPending = Math.max(1, options.maxPending);
  }

  get size(): number {
    return this.#pending.length;
  }

  add(item: T): void {
    this.#pending.push(item);
    if (this.#pending.length >= this.#maxPending) this.flush();
    // unref: a history write alone never keeps the process alive; close() flushes what is left.
    else this.#timer ??= setTimeout(() => this.flush(), this.#intervalMs).unref();
  }

  /** Hands over everything waiting, now. The batch leaves the buffer first: a failed flush is not retried. */
  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#pending.length === 0) return;
    const batch = this.#pending;
    this.#pending = [];
    this.#flushBatch(batch);
  }
}
