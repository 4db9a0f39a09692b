import type { z } from 'zod';
import { clientMessageSchema, type ClientMessage } from './client-messages.js';
import type { ErrorCode } from './error-codes.js';
import { serverMessageSchema, type ServerMessage } from './server-messages.js';

export type Decoded<T> =
  | { ok: true; message: T }
  | { ok: false; code: ErrorCode; reason: string }
  /** A well-formed message of a type this side does not know (a newer peer's): skipped, not an error. */
  | { ok: 'skip'; type: string };

/** What `ws` hands to a 'message' listener. */
export type RawFrame = string | Buffer | ArrayBuffer | Buffer[];

/** The text of a frame as ws hands it over. */
export function frameText(raw: RawFrame): string {
  if (typeof raw === 'string') return raw;
  if (Array.isArray(raw)) return Buffer.concat(raw).toString('utf8');
  if (raw instanceof ArrayBuffer) return Buffer.from(raw).toString('utf8');
  return raw.toString('utf8');
}

/** A short, human-readable account of why a message failed its schema (at most a few issues). */
export function describeIssues(error: z.ZodError, max = 5): string {
  const parts = error.issues.slice(0, max).map((issue) => {
    const where = issue.path.length > 0 ? issue.path.map(String).join('.') : '(message)';
    return `${where}: ${issue.message}`;
  });
  const more = error.issues.length > max ? ` (and ${error.issues.length - max} more)` : '';
  return parts.join('; ') + more;
}

function decodeWith<T>(
  schema: z.ZodType<T>,
  raw: RawFrame,
  side: string,
  skipUnknownTypes: readonly string[] | undefined,
): Decoded<T> {
  let value: unknown;
  try {
    value = JSON.parse(frameText(raw));
  } catch {
    return { ok: false, code: 'BAD_FRAME', reason: `frame is not valid JSON; every ${side} frame is one JSON message` };
  }
  if (skipUnknownTypes !== undefined && typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const type = (value as { type?: unknown }).type;
    if (typeof type === 'string' && !skipUnknownTypes.includes(type)) return { ok: 'skip', type };
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    return { ok: false, code: 'INVALID_MESSAGE', reason: `invalid ${side} message: ${describeIssues(parsed.error)}` };
  }
  return { ok: true, message: parsed.data };
}

/**
 * Parses one frame a server received. Never throws. A server is strict: a message of a type it does not know is
 * INVALID_MESSAGE, answered with an error (a client must not assume a newer server).
 */
export function decodeClientMessage(raw: RawFrame): Exclude<Decoded<ClientMessage>, { ok: 'skip' }> {
  return decodeWith(clientMessageSchema, raw, 'client', undefined) as Exclude<Decoded<ClientMessage>, { ok: 'skip' }>;
}

/** The message types a client knows. */
const SERVER_MESSAGE_TYPES: readonly string[] = serverMessageSchema.options.map((option) => option.shape.type.value);

/**
 * Parses one frame a client received. Never throws. A client is lenient with what it cannot know: a message of a
 * type it does not know (a newer server's addition) is `skip`; an unknown field is dropped; a known message whose
 * values are wrong is INVALID_MESSAGE — that needs a new protocol version, not a guess.
 */
export function decodeServerMessage(raw: RawFrame): Decoded<ServerMessage> {
  return decodeWith(serverMessageSchema, raw, 'server', SERVER_MESSAGE_TYPES);
}

export function encodeMessage(message: ClientMessage | ServerMessage): string {
  return JSON.stringify(message);
}
