/** Gives a held slot back; safe to call more than once. */
export type Release = () => void;

interface Waiter {
  grant: (release: Release) => void;
  refuse: (reason: unknown) => void;
  signal: AbortSignal;
  onAbort: () => void;
}

/**
 * The server's capacity: at most `capacity` containers at once across every run. Waiting owners are served in
 * turn (round robin), so a run with 500 files queued cannot starve one with 5. Granting is synchronous, which
 * keeps the bookkeeping easy to reason about.
 */
export class CapacityGate {
  #free: number;
  readonly #held = new Map<string, number>();
  readonly #listeners = new Set<() => void>();
  /** Insertion order is the rotation: an owner served goes to the back. */
  readonly #queues = new Map<string, Waiter[]>();

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    this.#free = capacity;
  }

  get inUse(): number {
    return this.capacity - this.#free;
  }

  get waiting(): number {
    let count = 0;
    for (const queue of this.#queues.values()) count += queue.length;
    return count;
  }

  /** Slots an owner holds now. */
  heldBy(owner: string): number {
    return this.#held.get(owner) ?? 0;
  }

  /** 1-based place of an owner among those waiting, in the order they will be served; 0 when not waiting. */
  positionOf(owner: string): number {
    let position = 0;
    for (const waiting of this.#queues.keys()) {
      position += 1;
      if (waiting === owner) return position;
    }
    return 0;
  }

  /** Called after every grant, release or abandoned wait; returns a function that unsubscribes. */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #changed(): void {
    for (const listener of this.#listeners) listener();
  }

  /** Resolves with a release once a slot is free; rejects with the signal's reason if it aborts first. */
  acquire(owner: string, signal: AbortSignal): Promise<Release> {
    if (signal.aborted) return Promise.reject(signal.reason as Error);
    return new Promise<Release>((grant, refuse) => {
      const waiter: Waiter = { grant, refuse, signal, onAbort: () => this.#abandon(owner, waiter) };
      signal.addEventListener('abort', waiter.onAbort, { once: true });
      const queue = this.#queues.get(owner);
      if (queue === undefined) this.#queues.set(owner, [waiter]);
      else queue.push(waiter);
      this.#dispatch();
      this.#changed();
    });
  }

  #dispatch(): void {
    while (this.#free > 0) {
      const next = this.#queues.entries().next();
      if (next.done === true) return;
      const [owner, queue] = next.value;
      const waiter = queue.shift();
      this.#queues.delete(owner);
      if (queue.length > 0) this.#queues.set(owner, queue);
      if (waiter === undefined) continue;
      waiter.signal.removeEventListener('abort', waiter.onAbort);
      this.#free -= 1;
      this.#held.set(owner, this.heldBy(owner) + 1);
      waiter.grant(this.#releaser(owner));
    }
  }

  #releaser(owner: string): Release {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#free += 1;
      const held = this.heldBy(owner) - 1;
      if (held > 0) this.#held.set(owner, held);
      else this.#held.delete(owner);
      this.#dispatch();
      this.#changed();
    };
  }

  #abandon(owner: string, waiter: Waiter): void {
    const queue = this.#queues.get(owner);
    if (queue === undefined) return;
    const at = queue.indexOf(waiter);
    if (at === -1) return;
    queue.splice(at, 1);
    if (queue.length === 0) this.#queues.delete(owner);
    waiter.refuse(waiter.signal.reason);
    this.#changed();
  }
}
