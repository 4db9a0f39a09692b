/** Wrong tokens one address may present in a window before its attempts are refused without being checked. */
export const AUTH_FAILURES_ALLOWED = 20;
/** The window: an address that went over may try again this long after its first failure in it. */
export const AUTH_FAILURE_WINDOW_MS = 60_000;
/** Addresses remembered at once; past it the one remembered longest is forgotten (memory's bound). */
export const MAX_TRACKED_ADDRESSES = 10_000;

/**
 * Who is counted: an IPv4 address (also when it comes IPv4-mapped, `::ffff:10.0.0.9`), or an IPv6 address's /64 —
 * one host is routinely given a whole /64, and could otherwise take a fresh address for every 20 guesses.
 */
export function addressKey(address: string | undefined): string {
  if (address === undefined || address === '') return '?';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1] !== undefined) return mapped[1];
  if (!address.includes(':')) return address;
  const [head = '', tail = ''] = address.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === '' ? [] : tail.split(':');
  const groups = address.includes('::')
    ? [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((group) => Number.parseInt(group || '0', 16).toString(16))
    .join(':')}::/64`;
}

interface Failures {
  count: number;
  since: number;
}

/**
 * Guessing tokens, slowed: each address may present so many wrong tokens a minute (at the WebSocket upgrade and at
 * the dashboard's sign-in alike); past that its attempts are refused unchecked until the window ends, so a guess
 * cannot even be tested. The cost: clients behind one NAT or proxy share an address, and one of them guessing
 * holds the others back for at most a minute.
 */
export class AuthFailures {
  readonly #byAddress = new Map<string, Failures>();

  constructor(
    private readonly allowed = AUTH_FAILURES_ALLOWED,
    private readonly windowMs = AUTH_FAILURE_WINDOW_MS,
    private readonly maxTracked = MAX_TRACKED_ADDRESSES,
  ) {}

  /** Seconds until this address may try again, or undefined when it may now. */
  retryAfterSeconds(address: string | undefined, now = Date.now()): number | undefined {
    const failures = this.#current(addressKey(address), now);
    if (failures === undefined || failures.count < this.allowed) return undefined;
    return Math.max(1, Math.ceil((failures.since + this.windowMs - now) / 1000));
  }

  /** A wrong token from this address. */
  failed(address: string | undefined, now = Date.now()): void {
    const key = addressKey(address);
    const failures = this.#current(key, now);
    if (failures !== undefined) {
      failures.count += 1;
      return;
    }
    if (this.#byAddress.size >= this.maxTracked) {
      const oldest = this.#byAddress.keys().next().value;
      if (oldest !== undefined) this.#byAddress.delete(oldest);
    }
    this.#byAddress.set(key, { count: 1, since: now });
  }

  #current(key: string, now: number): Failures | undefined {
    const failures = this.#byAddress.get(key);
    if (failures === undefined) return undefined;
    if (now - failures.since >= this.windowMs) {
      this.#byAddress.delete(key);
      return undefined;
    }
    return failures;
  }
}
