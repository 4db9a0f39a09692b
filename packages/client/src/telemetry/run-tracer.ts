import type { FileFinishedMessage } from '@baleen/protocol';
import type { RunEvent, RunResult } from '../run/run-on-server.js';
import { formatTraceparent, newRunSpanIds, parseTraceparent } from './traceparent.js';

/**
 * A run's trace: the `traceparent` its containers get (TRACEPARENT), and with an OTLP endpoint a span per run,
 * file attempt and scenario exported there (otlp-export.ts).
 */
export interface RunTracer {
  /** The run span, as W3C traceparent: sent with the run, given to every container. */
  readonly traceparent: string;
  onEvent(event: RunEvent): void;
  /** Ends the spans and sends them; says why when they could not be sent (never throws). */
  finish(result: RunResult | undefined): Promise<string | undefined>;
}

export interface RunTracerOptions {
  /** OTLP/HTTP endpoint (`http://collector:4318`, or its full `/v1/traces` URL); none: no export. */
  endpoint?: string;
  /** This process's TRACEPARENT: the run joins the CI's trace as its child. */
  parent?: string;
  suite: string;
  image: string;
  files: readonly string[];
}

/** The tracer of a run: exporting when an endpoint is given (its packages are loaded only then). */
export async function startRunTracer(options: RunTracerOptions): Promise<RunTracer> {
  if (options.endpoint !== undefined) {
    const { otlpRunTracer } = await import('./otlp-export.js');
    return otlpRunTracer({ ...options, endpoint: options.endpoint });
  }
  const traceparent = formatTraceparent(newRunSpanIds(parseTraceparent(options.parent)));
  return { traceparent, onEvent: () => undefined, finish: () => Promise.resolve(undefined) };
}

/** OpenTelemetry's `test.suite.run.status` for a file's final attempt. */
export function suiteRunStatus(result: FileFinishedMessage | undefined): string {
  if (result === undefined) return 'skipped';
  switch (result.status) {
    case 'passed':
      return 'success';
    case 'timed-out':
      return 'timed_out';
    case 'cancelled':
      return 'aborted';
    case 'failed':
    case 'oom':
    case 'error':
      return 'failure';
  }
}
