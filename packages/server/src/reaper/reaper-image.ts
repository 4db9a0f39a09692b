import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import type Docker from 'dockerode';
import { pack } from 'tar-stream';
import { REAPER_SCRIPT } from './reaper-script.js';

export const REAPER_REPOSITORY = 'baleen-reaper';

/**
 * The shared libraries and loader a binary needs, at the paths ldd names (sonames, as the loader looks them up);
 * none for a static binary or where there is no ldd.
 */
async function sharedLibraries(binary: string): Promise<string[]> {
  // An image with no ldd (the registry-free server image) names them when it is built.
  const named = process.env['BALEEN_NODE_LIBRARIES'];
  if (named !== undefined && named !== '') return [...new Set(named.split(':').filter((file) => file !== ''))].sort();
  try {
    const { stdout } = await promisify(execFile)('ldd', [binary]);
    const paths = [...stdout.matchAll(/(?:=>\s*|^\s*)(\/\S+)\s+\(0x/gm)].map((match) => match[1] ?? '');
    return [...new Set(paths.filter((found) => found !== ''))].sort();
  } catch {
    return [];
  }
}

export interface ReaperImage {
  image: string;
  /** Where the libraries are, for LD_LIBRARY_PATH. */
  libraryPath: string;
}

/**
 * An image for the reaper that needs no registry: this process's own node binary, its shared libraries and loader
 * (as scripts/lib/node-rootfs.sh assembles the fixtures image), and the reaper's script — tagged by a hash of all that, so it is built once per node and script.
 */
export async function ensureReaperImage(docker: Docker): Promise<ReaperImage> {
  const node = process.execPath;
  const libraries = await sharedLibraries(node);
  const files = [node, ...libraries];
  const key = createHash('sha256').update(REAPER_SCRIPT);
  for (const file of files) {
    const info = await stat(file);
    key.update(`${file}\0${info.size}\0${info.mtimeMs}\n`);
  }
  const image = `${REAPER_REPOSITORY}:${key.digest('hex').slice(0, 16)}`;
  const libraryPath = [...new Set(libraries.map((library) => path.dirname(library)))].join(':');
  try {
    await docker.getImage(image).inspect();
    return { image, libraryPath };
  } catch {
    // Not built yet: built below.
  }
  const archive = pack();
  const mtime = new Date(0);
  const adding = (async () => {
    for (const file of files) {
      const info = await stat(file);
      await new Promise<void>((resolve, reject) => {
        const sink = archive.entry({ name: file.slice(1), mode: 0o755, mtime, size: info.size }, (error) =>
          error ? reject(error) : resolve(),
        );
        sink.on('error', reject);
        createReadStream(file).once('error', reject).pipe(sink);
      });
    }
    archive.entry({ name: 'reaper.mjs', mode: 0o644, mtime }, REAPER_SCRIPT);
    archive.entry({ name: 'tmp', type: 'directory', mode: 0o1777, mtime });
    archive.finalize();
  })();
  const body = new PassThrough();
  archive.on('error', (error: Error) => body.destroy(error));
  archive.pipe(body);
  const [repo, tag] = image.split(':');
  const stream = await docker.importImage(body, { repo, tag });
  await adding;
  await new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(stream, (error: Error | null) => (error === null ? resolve() : reject(error)));
  });
  return { image, libraryPath };
}
