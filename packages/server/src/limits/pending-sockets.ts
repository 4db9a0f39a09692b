import type { Socket } from 'node:net';

/**
 * Sockets that have connected but not (yet) become a WebSocket: each gets a deadline, and there are at most
 * `max` of them — past it the oldest silent one is closed. Silent sockets then cost a bounded number of file
 * descriptors, and a real client, which sends its upgrade request at once, is not the one turned away.
 */
export class PendingSockets {
  /** Insertion order is age order: the first is the oldest. */
  readonly #sockets = new Map<Socket, NodeJS.Timeout>();
  #evicted = 0;

  constructor(
    private readonly max: number,
    private readonly deadlineMs: number,
  ) {}

  get size(): number {
    return this.#sockets.size;
  }

  /** Sockets closed because newer ones came while the limit was reached. */
  get evicted(): number {
    return this.#evicted;
  }

  add(socket: Socket): void {
    while (this.#sockets.size >= this.max) {
      const victim = this.#victim();
      if (victim === undefined) break;
      this.#evicted += 1;
      this.#drop(victim);
    }
    const timer = setTimeout(() => this.#drop(socket), this.deadlineMs);
    timer.unref();
    this.#sockets.set(socket, timer);
    socket.once('close', () => this.settled(socket));
  }

  /** The socket became a WebSocket (or closed): no deadline any more. */
  settled(socket: Socket): void {
    clearTimeout(this.#sockets.get(socket));
    this.#sockets.delete(socket);
  }

  /** The oldest socket that has not sent a byte, else the oldest: a client mid-request is the last to go. */
  #victim(): Socket | undefined {
    let oldest: Socket | undefined;
    for (const socket of this.#sockets.keys()) {
      oldest ??= socket;
      if (socket.bytesRead === 0) return socket;
    }
    return oldest;
  }

  #drop(socket: Socket): void {
    this.settled(socket);
    socket.destroy();
  }
}
