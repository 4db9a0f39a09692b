import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * The key that turns a token into its tenant id (see TokenStore), kept in `<stateDir>/tenant-key` (mode 0600).
 * Kept across restarts so that the history a tenant's runs left (stored under its id) stays its own after the
 * server restarts; without the key, an id still cannot be tied to a token offline.
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
