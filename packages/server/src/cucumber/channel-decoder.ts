import type { OutputSink } from '../backend/container-backend.js';

/** Where a frame's bytes can end up when a frame is longer than any the runner writes: it is not a frame. */
const MAX_FRAME_BYTES = 64 * 1024;
/** A message larger than this (a huge attachment) is skipped, not held in memory; the run goes on. */
export const MAX_CHANNEL_MESSAGE_BYTES = 16 * 1024 * 1024;
const NEWLINE = 0x0a;

/** What the in-container runner sends: a cucumber envelope, or `{ baleen: {...} }` of its own. */
export type ChannelMessage = Record<string, unknown>;

export interface ChannelHandlers {
  /** `json` is the message's text as it came, for keeping without a second serialisation. */
  onMessage: (message: ChannelMessage, json: string) => void;
  /** The channel lost or garbled a frame: results after this point cannot be trusted. Called once. */
  onBroken: (reason: string) => void;
}

/**
 * Reads the in-container runner's channel out of a container's stderr (see in-container-runner.ts). Frames may
 * sit anywhere in the stream, even inside a line a step left unterminated: whatever is not a frame goes on to the
 * text sink byte for byte, so a step's own stderr reads as it was written. A frame is
 * `<marker><sequence><'+' more | '=' last><payload>\n`; the payloads of one message, joined, are its JSON.
 */
export class ChannelDecoder implements OutputSink {
  readonly #marker: Buffer;
  /** Bytes at the end of the last chunk that may be the start of a marker. */
  #carry: Buffer = Buffer.alloc(0);
  /** Inside a frame: its bytes so far (after the marker). */
  #frame: Buffer[] | undefined;
  #frameBytes = 0;
  #nextSequence = 0;
  #message: Buffer[] = [];
  #messageBytes = 0;
  #skippingMessage = false;
  #broken: string | undefined;
  #frames = 0;

  constructor(
    marker: string,
    private readonly text: OutputSink,
    private readonly handlers: ChannelHandlers,
  ) {
    this.#marker = Buffer.from(marker, 'latin1');
  }

  /** Why the channel broke, if it did. */
  get broken(): string | undefined {
    return this.#broken;
  }

  /** How many frames arrived whole. */
  get frames(): number {
    return this.#frames;
  }

  write(chunk: Buffer | string): boolean {
    let data = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    if (this.#carry.length > 0) {
      data = Buffer.concat([this.#carry, data]);
      this.#carry = Buffer.alloc(0);
    }
    let at = 0;
    while (at < data.length) {
      if (this.#frame !== undefined) {
        at = this.#continueFrame(data, at);
        continue;
      }
      const found = data.indexOf(this.#marker, at);
      if (found !== -1) {
        if (found > at) this.text.write(data.subarray(at, found));
        this.#frame = [];
        this.#frameBytes = 0;
        at = found + this.#marker.length;
        continue;
      }
      // No whole marker: pass the text on, but hold back an end that may be a marker cut in two.
      const held = partialMarkerAtEnd(data, at, this.#marker);
      if (data.length - held > at) this.text.write(data.subarray(at, data.length - held));
      if (held > 0) this.#carry = Buffer.from(data.subarray(data.length - held));
      break;
    }
    return true;
  }

  /** The stream ended: what is held back is text; a frame cut off by the end is a broken channel. */
  end(): void {
    if (this.#carry.length > 0) {
      this.text.write(this.#carry);
      this.#carry = Buffer.alloc(0);
    }
    if (this.#frame !== undefined) {
      this.#break('the output ended in the middle of a message frame');
      this.#frame = undefined;
    } else if (this.#message.length > 0 || this.#skippingMessage) {
      this.#break('the output ended in the middle of a message');
    }
  }

  #continueFrame(data: Buffer, from: number): number {
    const frame = this.#frame ?? [];
    const newline = data.indexOf(NEWLINE, from);
    const end = newline === -1 ? data.length : newline;
    frame.push(data.subarray(from, end));
    this.#frameBytes += end - from;
    if (this.#frameBytes > MAX_FRAME_BYTES) {
      // Not a frame the runner wrote: give the bytes back as text and say the channel can no longer be trusted.
      this.#frame = undefined;
      this.#break(`a frame ran past ${MAX_FRAME_BYTES} bytes without its end`);
      this.text.write(Buffer.concat([this.#marker, ...frame]));
      return end;
    }
    if (newline === -1) return data.length;
    this.#frame = undefined;
    this.#onFrame(Buffer.concat(frame));
    return newline + 1;
  }

  #onFrame(frame: Buffer): void {
    let digits = 0;
    while (digits < frame.length && isDigit(frame[digits])) digits += 1;
    const flag = frame[digits];
    if (digits === 0 || (flag !== PLUS && flag !== EQUALS)) {
      this.#break('a message frame had no sequence number');
      return;
    }
    const sequence = Number(frame.subarray(0, digits).toString('latin1'));
    if (sequence !== this.#nextSequence) {
      this.#break(
        sequence > this.#nextSequence
          ? `message frames ${this.#nextSequence}..${sequence - 1} never arrived`
          : `message frame ${sequence} arrived twice or out of order`,
      );
      // Resynchronise, so a later complete message is still read.
      this.#message = [];
      this.#messageBytes = 0;
      this.#skippingMessage = false;
    }
    this.#nextSequence = sequence + 1;
    this.#frames += 1;
    const payload = frame.subarray(digits + 1);
    if (!this.#skippingMessage) {
      this.#messageBytes += payload.length;
      if (this.#messageBytes > MAX_CHANNEL_MESSAGE_BYTES) {
        this.#skippingMessage = true;
        this.#message = [];
      } else {
        this.#message.push(payload);
      }
    }
    if (flag !== EQUALS) return;
    const parts = this.#message;
    const skipped = this.#skippingMessage;
    this.#message = [];
    this.#messageBytes = 0;
    this.#skippingMessage = false;
    if (skipped) return;
    const json = Buffer.concat(parts).toString('utf8');
    const message = parseObject(json);
    if (message === undefined) {
      this.#break(`message frame ${sequence} ended a message that is not JSON`);
      return;
    }
    this.handlers.onMessage(message, json);
  }

  #break(reason: string): void {
    if (this.#broken !== undefined) return;
    this.#broken = reason;
    this.handlers.onBroken(reason);
  }
}

const PLUS = 0x2b;
const EQUALS = 0x3d;

function isDigit(byte: number | undefined): boolean {
  return byte !== undefined && byte >= 0x30 && byte <= 0x39;
}

/** How many bytes at the end of data[from..] are a proper prefix of the marker. */
function partialMarkerAtEnd(data: Buffer, from: number, marker: Buffer): number {
  const longest = Math.min(marker.length - 1, data.length - from);
  for (let length = longest; length > 0; length -= 1) {
    if (data.compare(marker, 0, length, data.length - length, data.length) === 0) return length;
  }
  return 0;
}

function parseObject(text: string): ChannelMessage | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as ChannelMessage) : undefined;
  } catch {
    return undefined;
  }
}
