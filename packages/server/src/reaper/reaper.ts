import type Docker from 'dockerode';
import type { Logger } from 'pino';
import { LABELS } from '../backend/container-labels.js';
import { ensureReaperImage } from './reaper-image.js';

/** On the reaper container: whose it is. Not `baleen.managed`: no sweep of Baleen's own removes a live reaper. */
export const REAPER_LABEL = 'baleen.reaper';

export interface Reaper {
  /** Ends the reaper: it sweeps what its server left (nothing, after a clean stop) and exits. Safe twice. */
  stop(): void;
}

/** Where the engine's socket is on this host, if it is a unix socket the reaper can be given. */
export function engineSocketPath(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const host = env['DOCKER_HOST'];
  if (host === undefined || host === '') return '/var/run/docker.sock';
  return host.startsWith('unix://') ? host.slice('unix://'.length) : undefined;
}

/**
 * A reaper after testcontainers' Ryuk: a small container that does not depend on its server coming back. The
 * server holds its stdin open through an attach stream; when the server's process ends in any way (crash,
 * kill -9), the engine closes that stream and the reaper removes what the server had on the engine. Meanwhile it
 * kills any container of the server past its `baleen.deadline` label, so a hung server's files still end on time.
 * It needs the engine's unix socket (it is given it, as Ryuk is); where there is none, there is no reaper.
 */
export async function startReaper(docker: Docker, serverId: string, log: Logger): Promise<Reaper | undefined> {
  const socketPath = engineSocketPath();
  if (socketPath === undefined) {
    log.warn('no reaper: DOCKER_HOST is not a unix socket; a crash leaves containers until their deadline sweep');
    return undefined;
  }
  const { image, libraryPath } = await ensureReaperImage(docker);
  const container = await docker.createContainer({
    Image: image,
    Cmd: [process.execPath, '/reaper.mjs', serverId],
    Env: [`LD_LIBRARY_PATH=${libraryPath}`],
    Labels: { [REAPER_LABEL]: serverId, [LABELS.server]: serverId },
    OpenStdin: true,
    StdinOnce: true,
    AttachStdin: true,
    Tty: false,
    HostConfig: {
      AutoRemove: true,
      NetworkMode: 'none',
      Binds: [`${socketPath}:/var/run/docker.sock`],
      ReadonlyRootfs: true,
      SecurityOpt: ['no-new-privileges'],
      Memory: 128 * 1024 * 1024,
      PidsLimit: 32,
      LogConfig: { Type: 'json-file', Config: { 'max-size': '1m' } },
    },
  });
  const stream = (await container.attach({ stream: true, stdin: true, hijack: true })) as NodeJS.ReadWriteStream & {
    end(): void;
    destroy?: () => void;
  };
  stream.on('error', (error: Error) => log.warn({ err: error.message }, 'reaper stream failed'));
  await container.start();
  log.info({ reaper: container.id.slice(0, 12) }, 'reaper started');
  let stopped = false;
  return {
    stop: () => {
      if (stopped) return;
      stopped = true;
      stream.end();
    },
  };
}
