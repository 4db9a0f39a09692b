import type { TenantId } from '../auth/token-store.js';

/** Runs in progress per tenant, over all its connections (--max-runs-per-client counts per token). */
export class TenantRuns {
  readonly #runs = new Map<TenantId, number>();

  count(tenant: TenantId): number {
    return this.#runs.get(tenant) ?? 0;
  }

  /** Counts one run until the returned function is called (safe to call twice). */
  add(tenant: TenantId): () => void {
    this.#runs.set(tenant, this.count(tenant) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = this.count(tenant) - 1;
      if (left <= 0) this.#runs.delete(tenant);
      else this.#runs.set(tenant, left);
    };
  }
}
