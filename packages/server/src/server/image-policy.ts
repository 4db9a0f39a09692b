import { BaleenError, parseImageReference, registryHost, type ImageReference } from '@baleen/protocol';

/**
 * Which images a run may use (`--allow-image`), matched on parsed references, never on text: `node*` means Hub
 * repositories `library/node*`, so `node.attacker.example/x` (another registry) never matches it. In a pattern,
 * `*` matches within one DNS label in the registry part, anything in the repository path, and anything in a tag;
 * a pattern without a tag or digest allows every tag. `*` alone allows every image.
 */
export interface ImagePattern {
  text: string;
  matches(reference: ImageReference): boolean;
  /** The registry the pattern names literally, if it names one: a local registry is allowed only that way. */
  literalDomain: string | undefined;
}

/** A stand-in for `*` that the reference grammar accepts wherever `*` may stand. */
const STAR = 'x0baleenstar0x';

const escape = (text: string): string => text.replace(/[.+?^${}()|[\]\\/-]/g, '\\$&');
const glob = (text: string, star: string, flags = ''): RegExp =>
  new RegExp(`^${text.split(STAR).map(escape).join(star)}$`, flags);

export function parseImagePattern(pattern: string): ImagePattern {
  if (pattern === '*') return { text: pattern, matches: () => true, literalDomain: undefined };
  const parsed = parseImageReference(pattern.replaceAll('*', STAR));
  if (!parsed.ok) {
    throw new BaleenError(
      'USAGE',
      `--allow-image '${pattern}' is not an image pattern: ${parsed.reason.replaceAll(STAR, '*')}`,
    );
  }
  const { domain, path, tag, digest } = parsed.reference;
  const domainGlob = glob(domain.toLowerCase(), '[a-z0-9-]*');
  const pathGlob = glob(path, '.*');
  const tagGlob = tag === undefined ? undefined : glob(tag, '.*');
  return {
    text: pattern,
    literalDomain: domain.includes(STAR) ? undefined : domain.toLowerCase(),
    matches: (reference) =>
      domainGlob.test(reference.domain.toLowerCase()) &&
      pathGlob.test(reference.path) &&
      (tagGlob === undefined || tagGlob.test(reference.tag ?? (reference.digest === undefined ? 'latest' : ''))) &&
      (digest === undefined || reference.digest === digest),
  };
}

/** Registries on this host or its link: a pull from one would make the engine reach what only this host should. */
export function isLocalRegistry(domain: string): boolean {
  const host = registryHost(domain).toLowerCase();
  return (
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    /^127\.\d+\.\d+\.\d+$/.test(host) ||
    /^169\.254\.\d+\.\d+$/.test(host) ||
    host === '0.0.0.0' ||
    host === '::1' ||
    host === '::' ||
    /^fe[89ab][0-9a-f]:/.test(host)
  );
}

export interface ImagePolicy {
  patterns: readonly ImagePattern[];
  /** Refuse registries on this host (loopback, link-local) unless a pattern names that registry itself. */
  refuseLocalRegistries: boolean;
}

export const OPEN_IMAGE_POLICY: ImagePolicy = { patterns: [], refuseLocalRegistries: false };

/** Why a run may not use `image`, or undefined when it may. */
export function imageRefusal(image: string, policy: ImagePolicy): string | undefined {
  const parsed = parseImageReference(image);
  if (!parsed.ok) return parsed.reason;
  const { reference } = parsed;
  const named = policy.patterns.some((pattern) => pattern.literalDomain === reference.domain.toLowerCase());
  if (policy.refuseLocalRegistries && isLocalRegistry(reference.domain) && !named) {
    return `image '${image}' names a registry on the server's own host (${reference.domain}), which this server does not pull from (its operator can allow it with baleen-server --allow-image '${reference.domain}/*')`;
  }
  if (policy.patterns.length > 0 && !policy.patterns.some((pattern) => pattern.matches(reference))) {
    return `image '${image}' is not allowed on this server (allowed: ${policy.patterns.map((pattern) => pattern.text).join(', ')})`;
  }
  return undefined;
}
