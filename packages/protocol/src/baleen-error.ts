import type { ErrorCode } from './error-codes.js';

/** An error with a stable code for machines and a message that tells a person what to do. */
export class BaleenError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BaleenError';
    this.code = code;
  }
}

export function isBaleenError(value: unknown): value is BaleenError {
  return value instanceof BaleenError;
}
