import { BaleenError } from '@baleen/protocol';

/** The shape of errors from docker-modem: an HTTP status and Docker's own message, or a socket error code. */
interface DockerApiError {
  statusCode?: number;
  code?: string;
  json?: { message?: string } | null;
  reason?: string;
  message?: string;
}

const UNREACHABLE_CODES = new Set([
  'ENOENT',
  'ECONNREFUSED',
  'EACCES',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EPIPE',
]);

function asApiError(error: unknown): DockerApiError {
  return typeof error === 'object' && error !== null ? error : {};
}

export function statusCodeOf(error: unknown): number | undefined {
  return asApiError(error).statusCode;
}

/** Docker's own words for a failure, without docker-modem's "(HTTP code 404) no such container -" prefix. */
export function dockerMessage(error: unknown): string {
  const e = asApiError(error);
  const text = e.json?.message ?? e.message ?? String(error);
  return text.trim();
}

export function isUnreachable(error: unknown): boolean {
  const code = asApiError(error).code;
  return code !== undefined && UNREACHABLE_CODES.has(code);
}

export function unreachableError(engine: string, cause: unknown): BaleenError {
  const code = asApiError(cause).code ?? 'no answer';
  return new BaleenError(
    'DOCKER_UNREACHABLE',
    `cannot reach the Docker engine at ${engine} (${code}) — start dockerd (as root on Debian: ` +
      `bash scripts/ensure-docker.sh) or point DOCKER_HOST at a running engine`,
    { cause },
  );
}

export function imageNotFoundError(image: string, engine: string, cause?: unknown): BaleenError {
  return new BaleenError(
    'IMAGE_NOT_FOUND',
    `image '${image}' not found on the Docker engine at ${engine} — build or load it on that engine ` +
      `(for Baleen's fixtures: bash scripts/build-fixtures-image.sh)`,
    { cause },
  );
}

/** Turns any engine failure into a BaleenError that says what to do. */
export function toBaleenError(error: unknown, engine: string, doing: string): BaleenError {
  if (error instanceof BaleenError) return error;
  if (isUnreachable(error)) return unreachableError(engine, error);
  return new BaleenError(
    'CONTAINER_FAILED',
    `${doing} failed on the Docker engine at ${engine}: ${dockerMessage(error)}`,
    {
      cause: error,
    },
  );
}
