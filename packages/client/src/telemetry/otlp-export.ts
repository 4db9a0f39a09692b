import { context, trace, TraceFlags, type Context, type Span } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  type ReadableSpan,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import type { FileFinishedMessage } from '@baleen/protocol';
import type { RunEvent, RunResult } from '../run/run-on-server.js';
import { CLIENT_VERSION } from '../version.js';
import { suiteRunStatus, type RunTracer, type RunTracerOptions } from './run-tracer.js';
import { formatTraceparent, parseTraceparent } from './traceparent.js';

/** How long sending the spans may hold the end of a run. */
const EXPORT_TIMEOUT_MS = 10_000;

/** `http://collector:4318` -> `http://collector:4318/v1/traces`; a URL with its own path is taken as it is. */
export function tracesUrl(endpoint: string): string {
  const url = new URL(endpoint);
  if (url.pathname === '/' || url.pathname === '') url.pathname = '/v1/traces';
  return url.toString();
}

/** What an exporter reports of one export (@opentelemetry/core's ExportResult; 0 is success). */
interface ExportResult {
  code: number;
  error?: Error;
}

/** An exporter that remembers the first failure, so the run can say its trace was not sent. */
class WatchedExporter implements SpanExporter {
  failure: string | undefined;
  constructor(private readonly inner: SpanExporter) {}
  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.inner.export(spans, (result) => {
      if (result.error !== undefined || (result.code as number) !== 0)
        this.failure ??= String(result.error ?? 'export failed');
      done(result);
    });
  }
  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}

/**
 * Spans of a run, sent with OTLP/HTTP: `baleen run` (test.suite.*), a `baleen file` per file attempt
 * (test.suite.* of the file) and a scenario span under its file (test.case.*), timed from the run's events.
 */
export function otlpRunTracer(options: RunTracerOptions & { endpoint: string }): RunTracer {
  const exporter = new WatchedExporter(
    new OTLPTraceExporter({ url: tracesUrl(options.endpoint), timeoutMillis: EXPORT_TIMEOUT_MS }),
  );
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'baleen', 'service.version': CLIENT_VERSION }),
    spanProcessors: [new BatchSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('baleen', CLIENT_VERSION);
  const parent = parseTraceparent(options.parent);
  const root: Context =
    parent === undefined
      ? context.active()
      : trace.setSpanContext(context.active(), { ...parent, traceFlags: TraceFlags.SAMPLED, isRemote: true });
  const runSpan = tracer.startSpan(
    'baleen run',
    {
      attributes: {
        'test.suite.name': options.suite,
        'test.suite.run.status': 'in_progress',
        'baleen.image': options.image,
        'baleen.files': options.files.length,
      },
    },
    root,
  );
  const inRun = trace.setSpan(root, runSpan);
  const fileSpans = new Map<number, Span>();
  const fileSpan = (fileIndex: number, file: string): Span => {
    const open = fileSpans.get(fileIndex);
    if (open !== undefined) return open;
    const span = tracer.startSpan(
      'baleen file',
      { attributes: { 'test.suite.name': file, 'code.filepath': file, 'baleen.file.index': fileIndex } },
      inRun,
    );
    fileSpans.set(fileIndex, span);
    return span;
  };
  const endFile = (message: FileFinishedMessage): void => {
    const span = fileSpan(message.fileIndex, message.file);
    fileSpans.delete(message.fileIndex);
    span.setAttributes({
      'test.suite.run.status': message.willRetry === true ? 'failure' : suiteRunStatus(message),
      'baleen.file.status': message.status,
      'baleen.attempt': message.attempt,
      ...(message.exitCode === null ? {} : { 'baleen.exit_code': message.exitCode }),
      ...(message.containerId === null ? {} : { 'container.id': message.containerId }),
    });
    span.end();
  };

  return {
    traceparent: formatTraceparent(runSpan.spanContext()),
    onEvent(event: RunEvent): void {
      switch (event.type) {
        case 'run-accepted':
          runSpan.setAttribute('baleen.run.id', event.message.runId);
          return;
        case 'file-started':
          fileSpan(event.message.fileIndex, event.message.file);
          return;
        case 'scenario-finished': {
          const message = event.message;
          const parentSpan = fileSpan(message.fileIndex, message.file);
          const end = Date.now();
          const span = tracer.startSpan(
            'baleen scenario',
            {
              startTime: end - message.durationMs,
              attributes: {
                'test.case.name': message.name,
                'test.case.result.status': message.status === 'passed' ? 'pass' : 'fail',
                'baleen.scenario.status': message.status,
                'code.filepath': message.uri,
                ...(message.line === null ? {} : { 'code.lineno': message.line }),
                'baleen.attempt': message.attempt,
              },
            },
            trace.setSpan(inRun, parentSpan),
          );
          span.end(end);
          return;
        }
        case 'file-finished':
          endFile(event.message);
          return;
        default:
          return;
      }
    },
    async finish(result: RunResult | undefined): Promise<string | undefined> {
      for (const span of fileSpans.values()) span.end();
      fileSpans.clear();
      const status = result?.finished.status;
      runSpan.setAttribute(
        'test.suite.run.status',
        status === 'passed' ? 'success' : status === 'cancelled' ? 'aborted' : 'failure',
      );
      runSpan.end();
      try {
        await provider.forceFlush();
        await provider.shutdown();
      } catch (error) {
        exporter.failure ??= String(error);
      }
      return exporter.failure === undefined
        ? undefined
        : `could not send the run's trace to ${tracesUrl(options.endpoint)}: ${exporter.failure}`;
    },
  };
}
