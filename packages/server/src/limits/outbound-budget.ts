/** Anything that queues bytes for a peer, as a WebSocket does. */
export interface BufferedPeer {
  readonly bufferedAmount: number;
}

/** Below this, a client's queue is not worth summing: a client that reads keeps it there. */
const SMALL_QUEUE_BYTES = 1024 * 1024;

/**
 * One budget for what the server has queued for all its clients, and one per client: a client that does not read
 * cannot hold more than its share, and many such clients cannot together hold more than the whole. A client over
 * either is dropped (which cancels its runs, as any disconnect does); one that keeps up is never summed or dropped.
 */
export class OutboundBudget {
  readonly #peers = new Set<BufferedPeer>();

  constructor(
    readonly totalBytes: number,
    readonly perClientBytes: number,
  ) {}

  add(peer: BufferedPeer): void {
    this.#peers.add(peer);
  }

  delete(peer: BufferedPeer): void {
    this.#peers.delete(peer);
  }

  /** What all clients have queued. */
  get queued(): number {
    let sum = 0;
    for (const peer of this.#peers) sum += peer.bufferedAmount;
    return sum;
  }

  /** Why `peer` may not queue `bytes` more, or undefined when it may. */
  refusal(peer: BufferedPeer, bytes: number): string | undefined {
    const own = peer.bufferedAmount + bytes;
    if (own <= SMALL_QUEUE_BYTES) return undefined;
    if (own > this.perClientBytes) return `its queue would pass ${this.perClientBytes} bytes`;
    const total = this.queued + bytes;
    if (total > this.totalBytes) return `the server's queues for all clients would pass ${this.totalBytes} bytes`;
    return undefined;
  }
}
