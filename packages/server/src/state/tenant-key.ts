import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * The key that names tenants (`tenant-…`, an HMAC of the token's digest), kept in `<stateDir>/tenant-key` (0600):
 * the history records each run under its tenant, so the name must outlive a restart for `--last-failed` to find a
 * tenant's runs — and a key no one else has keeps the name from being guessed from a token offline.
 */
export async function loadTenantKey(stateDir: string): Promise<Buffer> {
  const file = path.join(stateDir, 'tenant-key');
  try {
    const key = Buffer.from((await readFile(file, 'utf8')).trim(), 'hex');
    if (key.length === 32) return key;
  } catch {
    // First start: make one below.
  }
  const key = randomBytes(32);
  await mkdir(stateDir, { recursive: true });
  await writeFile(`${file}.tmp`, `${key.toString('hex')}\n`, { mode: 0o600 });
  await rename(`${file}.tmp`, file);
  return key;
}
