import type { z } from 'zod';
import { clientMessageSchema, type ClientMessage } from './client-messages.js';
import type { ErrorCode } from './error-codes.js';
import { serverMessageSchema, type ServerMessage } from './server-messages.js';

export type Decoded<T> = { ok: true; message: T } | { ok: false; code: ErrorCode; reason: string };

/** What `ws` hands to a 'message' listener. */
export type RawFrame = string | Buffer | ArrayBuffer | Buffer[];

function frameText(raw: RawFrame): string {
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

function decodeWith<T>(schema: z.ZodType<T>, raw: RawFrame, side: string): Decoded<T> {
  let value: unknown;
  try {
    value = JSON.parse(frameText(raw));
  } catch {
    return { ok: false, code: 'BAD_FRAME', reason: `frame is not valid JSON; every ${side} frame is one JSON message` };
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    return { ok: false, code: 'INVALID_MESSAGE', reason: `invalid ${side} message: ${describeIssues(parsed.error)}` };
  }
  return { ok: true, message: parsed.data };
}

/** Parses one frame a server received. Never throws. */
export function decodeClientMessage(raw: RawFrame): Decoded<ClientMessage> {
  return decodeWith(clientMessageSchema, raw, 'client');
}

/** Parses one frame a client received. Never throws. */
export function decodeServerMessage(raw: RawFrame): Decoded<ServerMessage> {
  return decodeWith(serverMessageSchema, raw, 'server');
}

export function encodeMessage(message: ClientMessage | ServerMessage): string {
  return JSON.stringify(message);
}
