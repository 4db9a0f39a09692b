import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { newId } from '../server/ids.js';

/** Where a server keeps its stable id unless told otherwise. */
export function defaultStateDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(env['XDG_STATE_HOME'] ?? path.join(homedir(), '.local/state'), 'baleen');
}

/**
 * The server's stable id, kept in `<stateDir>/server-id`. It is what the containers' `baleen.server` label says,
 * so a restarted server can find and remove what its crashed predecessor left — and only that.
 */
export async function loadServerId(stateDir: string): Promise<string> {
  const file = path.join(stateDir, 'server-id');
  try {
    const id = (await readFile(file, 'utf8')).trim();
    if (/^[A-Za-z0-9_.-]{1,100}$/.test(id)) return id;
  } catch {
    // First start: make one below.
  }
  const id = newId('srv');
  await mkdir(stateDir, { recursive: true });
  await writeFile(`${file}.tmp`, `${id}\n`);
  await rename(`${file}.tmp`, file);
  return id;
}
