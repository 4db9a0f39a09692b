import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';

/**
 * Who a client is: its token's identity. Runs, connections and synced files are counted and kept apart per tenant.
 * Without tokens (loopback, --insecure-no-auth, the embedded server) every client is one tenant.
 */
export type TenantId = string;
export const ANONYMOUS_TENANT: TenantId = 'anonymous';

/**
 * The tokens a server accepts. Tokens come from --token, BALEEN_TOKEN and --token-file (one per line, `#` for
 * comments, so each client can have its own and be revoked by deleting its line and sending SIGHUP).
 */
export class TokenStore {
  #fromFile: Buffer[] = [];
  readonly #fixed: Buffer[];
  /**
   * Names tenants without a token's hash that could be guessed offline: keyed per process, or by the state dir's
   * key (state/tenant-key.ts) so that a tenant keeps its name, and its history, across restarts.
   */
  readonly #idKey: Buffer;
  readonly #reloadListeners = new Set<() => void>();

  constructor(
    fixed: readonly string[],
    private readonly file: string | undefined,
    idKey: Buffer = randomBytes(32),
  ) {
    this.#idKey = idKey;
    this.#fixed = fixed.filter((token) => token.length > 0).map(digest);
  }

  get enabled(): boolean {
    return this.#fixed.length > 0 || this.#fromFile.length > 0 || this.file !== undefined;
  }

  get count(): number {
    return this.#fixed.length + this.#fromFile.length;
  }

  /** (Re)reads the token file; an unreadable file is an error, so a typo never opens the server. */
  async reload(): Promise<void> {
    if (this.file === undefined) return;
    const text = await readFile(this.file, 'utf8');
    this.#fromFile = text
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line.length > 0 && !line.startsWith('#'))
      .map(digest);
    for (const listener of this.#reloadListeners) listener();
  }

  /** Called after every reload, e.g. to close the sessions of tokens that were revoked. */
  onReload(listener: () => void): () => void {
    this.#reloadListeners.add(listener);
    return () => this.#reloadListeners.delete(listener);
  }

  /** Compares digests in constant time, so the time taken says nothing about how much of a token matched. */
  accepts(presented: string | undefined): boolean {
    return this.identify(presented) !== undefined;
  }

  /** The tenant a presented token stands for, or undefined when it is not (or no longer) accepted. */
  identify(presented: string | undefined): TenantId | undefined {
    if (presented === undefined || presented.length === 0) return undefined;
    const candidate = digest(presented);
    let ok = false;
    for (const token of [...this.#fixed, ...this.#fromFile]) ok = timingSafeEqual(token, candidate) || ok;
    if (!ok) return undefined;
    return `tenant-${createHmac('sha256', this.#idKey).update(candidate).digest('hex').slice(0, 16)}`;
  }
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

/** The token in `Authorization: Bearer <token>`. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}
