import { createRequire } from 'node:module';
import Docker from 'dockerode';

let redirectsRefused = false;

/**
 * docker-modem follows HTTP redirects from the engine to wherever `Location` points — a host and port taken from
 * a crafted name in the request path (the engine redirects a path with `..` to its cleaned form) — and issues
 * that request with no error handler, so its failure ends the process. The engine's API never needs a redirect:
 * with docker-modem's limit at 0 a redirect becomes an error of the call that got it, and no second request is
 * made. Names are also checked before they reach a path (see image-policy.ts); this is the second line.
 */
export function refuseDockerRedirects(): void {
  if (redirectsRefused) return;
  const fromDockerode = createRequire(createRequire(import.meta.url).resolve('dockerode'));
  const modemHttp = fromDockerode('docker-modem/lib/http.js') as { maxRedirects: number };
  modemHttp.maxRedirects = 0;
  redirectsRefused = true;
}

/** A Docker client (from DOCKER_HOST or the default socket) that never follows a redirect. */
export function createDockerClient(options?: Docker.DockerOptions): Docker {
  refuseDockerRedirects();
  return new Docker(options);
}
