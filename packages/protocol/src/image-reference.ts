/**
 * Docker image references, parsed by the grammar of distribution/reference (what the engine itself parses):
 *
 *   reference := name [ ":" tag ] [ "@" digest ]
 *   name      := [ domain "/" ] path-component { "/" path-component }
 *   domain    := host [ ":" port ]          host: DNS labels, or an IPv6 address in brackets
 *   path-component := [a-z0-9]+ { separator [a-z0-9]+ }     separator: "." | "_" | "__" | "-"+
 *   tag       := [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}
 *   digest    := algorithm ":" hex{32,}
 *
 * A first component is the registry's domain only if it has a `.` or `:`, is `localhost`, or has an upper-case
 * letter; otherwise the image is on Docker Hub (`docker.io`, official images under `library/`). Nothing outside
 * this grammar — `..`, empty components, `//`, user info, spaces — is ever a reference.
 */
export interface ImageReference {
  /** The registry: `docker.io` for Docker Hub. */
  domain: string;
  /** The repository path inside the registry, with `library/` for official Hub images. */
  path: string;
  tag?: string;
  digest?: string;
}

const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = new RegExp(`^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?$`);
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;
const MAX_NAME_LENGTH = 255;

export const DOCKER_HUB = 'docker.io';

/** Whether a reference's first component names a registry rather than a Hub repository. */
function isDomain(component: string): boolean {
  return (
    component.includes('.') ||
    component.includes(':') ||
    component === 'localhost' ||
    component !== component.toLowerCase()
  );
}

/** Splits `[name][:tag][@digest]`: the tag's colon is the last one after the last slash. */
function splitReference(reference: string): { name: string; tag?: string; digest?: string } {
  const at = reference.indexOf('@');
  const digest = at === -1 ? undefined : reference.slice(at + 1);
  const rest = at === -1 ? reference : reference.slice(0, at);
  const colon = rest.lastIndexOf(':');
  const tag = colon > rest.lastIndexOf('/') ? rest.slice(colon + 1) : undefined;
  const name = tag === undefined ? rest : rest.slice(0, colon);
  return { name, ...(tag === undefined ? {} : { tag }), ...(digest === undefined ? {} : { digest }) };
}

/** The parsed reference, or why the text is not one. */
export function parseImageReference(
  reference: string,
): { ok: true; reference: ImageReference } | { ok: false; reason: string } {
  const fail = (reason: string) => ({
    ok: false as const,
    reason: `'${reference}' is not an image reference: ${reason}`,
  });
  const { name, tag, digest } = splitReference(reference);
  if (name.length === 0) return fail('no name');
  if (name.length > MAX_NAME_LENGTH) return fail(`the name is longer than ${MAX_NAME_LENGTH} characters`);
  if (tag !== undefined && !TAG.test(tag)) return fail(`'${tag}' is not a tag`);
  if (digest !== undefined && !DIGEST.test(digest)) return fail(`'${digest}' is not a digest`);
  const components = name.split('/');
  const first = components[0] ?? '';
  const hasDomain = components.length > 1 && isDomain(first);
  if (hasDomain && !DOMAIN.test(first)) return fail(`'${first}' is not a registry host`);
  const pathComponents = hasDomain ? components.slice(1) : components;
  const bad = pathComponents.find((component) => !PATH_COMPONENT.test(component));
  if (bad !== undefined) {
    return fail(`'${bad}' is not a repository path component (lower-case letters and digits, joined by . _ __ or -)`);
  }
  let domain = hasDomain ? first : DOCKER_HUB;
  if (domain === 'index.docker.io') domain = DOCKER_HUB;
  const path =
    domain === DOCKER_HUB && pathComponents.length === 1
      ? `library/${pathComponents.join('/')}`
      : pathComponents.join('/');
  return {
    ok: true,
    reference: { domain, path, ...(tag === undefined ? {} : { tag }), ...(digest === undefined ? {} : { digest }) },
  };
}

/** The registry host alone, without its port (`[::1]:5000` -> `::1`). */
export function registryHost(domain: string): string {
  if (domain.startsWith('[')) return domain.slice(1, domain.indexOf(']'));
  const colon = domain.lastIndexOf(':');
  return colon === -1 ? domain : domain.slice(0, colon);
}
