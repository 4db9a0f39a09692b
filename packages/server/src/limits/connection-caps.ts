import type { TenantId } from '../auth/token-store.js';

/** WebSocket connections at once: server-wide and per tenant, checked at the upgrade. */
export class ConnectionCaps {
  readonly #byTenant = new Map<TenantId, number>();
  #total = 0;

  constructor(
    private readonly max: number,
    private readonly maxPerTenant: number,
  ) {}

  get total(): number {
    return this.#total;
  }

  /** A release function when the connection may open, else why not. */
  admit(tenant: TenantId): { release: () => void } | { refusal: string } {
    if (this.#total >= this.max) {
      return { refusal: `the server has ${this.#total} connections, its limit (--max-connections)` };
    }
    const own = this.#byTenant.get(tenant) ?? 0;
    if (own >= this.maxPerTenant) {
      return { refusal: `this token has ${own} connections open, its limit (--max-connections-per-token)` };
    }
    this.#total += 1;
    this.#byTenant.set(tenant, own + 1);
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.#total -= 1;
        const left = (this.#byTenant.get(tenant) ?? 1) - 1;
        if (left <= 0) this.#byTenant.delete(tenant);
        else this.#byTenant.set(tenant, left);
      },
    };
  }
}
