import { randomBytes } from 'node:crypto';
import { TRACEPARENT_PATTERN } from '@baleen/protocol';

export interface SpanIds {
  traceId: string;
  spanId: string;
}

/** `00-<trace>-<span>-01`: sampled, as the run's spans are exported when an endpoint is given. */
export function formatTraceparent(ids: SpanIds): string {
  return `00-${ids.traceId}-${ids.spanId}-01`;
}

/** The trace and parent span of a `traceparent` (a CI's own, in this process's TRACEPARENT), if it is valid. */
export function parseTraceparent(value: string | undefined): SpanIds | undefined {
  if (value === undefined || !TRACEPARENT_PATTERN.test(value)) return undefined;
  const [, traceId = '', spanId = ''] = value.split('-');
  return { traceId, spanId };
}

/** A run span's ids when nothing exports it: in the CI's trace when it has one, else a new trace. */
export function newRunSpanIds(parent: SpanIds | undefined): SpanIds {
  return { traceId: parent?.traceId ?? randomBytes(16).toString('hex'), spanId: randomBytes(8).toString('hex') };
}
