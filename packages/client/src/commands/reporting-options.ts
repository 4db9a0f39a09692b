import { BaleenError } from '@baleen/protocol';
import {
  chooseReporters,
  CUCUMBER_REPORTERS,
  DEFAULT_REPORT_FILES,
  parseReporters,
  REPORTERS,
  type ReporterChoice,
} from '../report/reporters.js';
import type { TestKind, TestOptions } from './test-options.js';

/**
 * The reporters of this run (--reporter, the config file, else detected from the CI), and the options with a
 * default file for each file reporter named without a path. Throws a usage error for a reporter the runner cannot
 * give or an --otel-endpoint that is not an http(s) URL.
 */
export function reportingFor(
  kind: TestKind,
  options: TestOptions,
  env: NodeJS.ProcessEnv = process.env,
): { reporting: ReporterChoice; options: TestOptions } {
  checkOtelEndpoint(options.otelEndpoint);
  const cucumber = kind.cucumber !== undefined;
  const allowed = REPORTERS.filter((name) => cucumber || !CUCUMBER_REPORTERS.has(name));
  const given = options.reporter === undefined ? undefined : parseReporters(options.reporter, allowed);
  const reporting = chooseReporters(given, env, cucumber);
  return { reporting, options: withReportFiles(options, reporting) };
}

/** --otel-endpoint must be an http(s) URL (OTLP/HTTP). */
function checkOtelEndpoint(endpoint: string | undefined): void {
  if (endpoint === undefined) return;
  let url: URL | undefined;
  try {
    url = new URL(endpoint);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new BaleenError(
      'USAGE',
      `--otel-endpoint ${endpoint}: not an http(s) URL — give the collector's OTLP/HTTP address, e.g. http://localhost:4318`,
    );
  }
}

/** A file reporter with no path from its flag writes to its default file. */
function withReportFiles(options: TestOptions, reporting: ReporterChoice): TestOptions {
  const filled = { ...options };
  for (const [name, file] of Object.entries(DEFAULT_REPORT_FILES) as [keyof typeof DEFAULT_REPORT_FILES, string][]) {
    if (reporting.reporters.has(name) && filled[name] === undefined) filled[name] = file;
  }
  return filled;
}
