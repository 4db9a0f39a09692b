import { CUCUMBER_ENVELOPE_TYPES } from '@baleen/protocol';

/** Something that takes text, shaped like Writable.write (an OutputCollector). */
export interface TextSink {
  write(chunk: Buffer | string): boolean;
}

/** A line holding one of the protocol's envelope types as its only key is an envelope. */
const ENVELOPE_START = new RegExp(`\\{"(${CUCUMBER_ENVELOPE_TYPES.join('|')})":`);

/** A line longer than this is passed through as text rather than held in memory. */
export const MAX_ENVELOPE_LINE_BYTES = 16 * 1024 * 1024;

/**
 * Splits a stream that carries cucumber's NDJSON envelopes mixed with ordinary text (cucumber writes them to
 * stderr, where a step's own console.error can land too). Envelope lines go to `onEnvelope` as they complete;
 * everything else goes on to the text sink unchanged. An envelope that follows a step's unterminated partial line
 * on the same line is still found: the text before it is kept as text.
 */
export class EnvelopeSplitter implements TextSink {
  #pending: Buffer[] = [];
  #pendingBytes = 0;

  constructor(
    private readonly text: TextSink,
    private readonly onEnvelope: (line: string, envelope: Record<string, unknown>) => void,
  ) {}

  write(chunk: Buffer | string): boolean {
    const data = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    let start = 0;
    for (let newline = data.indexOf(10, start); newline !== -1; newline = data.indexOf(10, start)) {
      this.#pending.push(data.subarray(start, newline));
      this.#line(Buffer.concat(this.#pending));
      this.#pending = [];
      this.#pendingBytes = 0;
      start = newline + 1;
    }
    if (start < data.length) {
      const rest = data.subarray(start);
      this.#pending.push(Buffer.from(rest));
      this.#pendingBytes += rest.length;
      if (this.#pendingBytes > MAX_ENVELOPE_LINE_BYTES) this.#flushAsText();
    }
    return true;
  }

  /** The stream ended: an unterminated last line is text or an envelope like any other. */
  end(): void {
    if (this.#pendingBytes === 0) return;
    const last = Buffer.concat(this.#pending);
    this.#pending = [];
    this.#pendingBytes = 0;
    this.#line(last, false);
  }

  #flushAsText(): void {
    for (const part of this.#pending) this.text.write(part);
    this.#pending = [];
    this.#pendingBytes = 0;
  }

  #line(line: Buffer, terminated = true): void {
    const text = line.toString('utf8');
    const match = ENVELOPE_START.exec(text);
    if (match !== null) {
      const candidate = text.slice(match.index).trimEnd();
      const envelope = parseObject(candidate);
      if (envelope !== undefined) {
        if (match.index > 0) this.text.write(`${text.slice(0, match.index)}\n`);
        this.onEnvelope(candidate, envelope);
        return;
      }
    }
    this.text.write(terminated ? Buffer.concat([line, NEWLINE]) : line);
  }
}

const NEWLINE = Buffer.from('\n');

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
