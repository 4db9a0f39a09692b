import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

/*
 * A server embedded in the CLI (the laptop default) lives and dies with its process and has no state dir, so
 * when that process is killed hard (kill -9, a closed terminal, a second Ctrl-C) nothing would ever sweep the
 * containers its run had going. Its id therefore names the host and the process, and every embedded server
 * sweeps, when it starts, what embedded servers of processes that are gone on this host left behind. Servers
 * of live processes (another terminal's run) and of other hosts sharing the engine are never touched.
 */

const EMBEDDED_ID = /^emb-(.+)-(\d+)-[0-9a-f]{6}$/;

export function embeddedServerId(pid: number = process.pid, host: string = hostname()): string {
  return `emb-${host}-${pid}-${randomBytes(3).toString('hex')}`;
}

/** Whether this id is an embedded server's on this host whose process has ended. */
export function isOrphanedEmbeddedServer(
  serverId: string,
  isAlive: (pid: number) => boolean = processIsAlive,
  host: string = hostname(),
): boolean {
  const match = EMBEDDED_ID.exec(serverId);
  if (match === null || match[1] !== host) return false;
  const pid = Number(match[2]);
  return pid !== process.pid && !isAlive(pid);
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else — alive.
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}
