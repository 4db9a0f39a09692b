// The reference a Baleen run is compared with: plain cucumber-js, serially, in the same image, with nothing of
// Baleen's (no labels, no extra formatter, no network).
import { spawn } from 'node:child_process';
import {
  envelopesIn,
  printedSummaryLines,
  resultsFromEnvelopes,
  type Attachment,
  type ScenarioResult,
  type SummaryLines,
} from './cucumber-results.js';

export interface BaselineOptions {
  image: string;
  /** Where cucumber-js runs in the container; the image's WORKDIR when left out. */
  workDir?: string;
  /** cucumber-js arguments, e.g. the feature folder. */
  args?: readonly string[];
}

export interface CucumberBaseline {
  /** The exit status of the plain run. */
  exitCode: number;
  /** The summary lines cucumber printed; null when it printed none (a hook that failed or exited in AfterAll). */
  summary: SummaryLines | null;
  /** The same lines computed from cucumber's messages: what the summary says, or would have said. */
  summaryFromMessages: SummaryLines;
  /** One result per scenario (an outline's example rows each count), the last attempt of a retried one. */
  scenarios: ScenarioResult[];
  attachments: Attachment[];
  /** Output of the plain run, for failure messages. */
  stdout: string;
  stderr: string;
}

interface ProcessResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs cucumber-js twice in the image: once exactly as given (its exit code and printed summary), and once with
 * `--format message` on stdout, which is where cucumber's own per-scenario results come from. Stdout, because a
 * mocked fs (mock-fs) breaks every formatter that writes to a file; with cucumber-js 8 and later the last
 * formatter given for stdout replaces the profile's, and cucumber-js 7 writes both (envelopesIn skips the rest).
 */
export async function runCucumberBaseline(options: BaselineOptions): Promise<CucumberBaseline> {
  const args = options.args ?? [];
  const [plain, withMessages] = await Promise.all([
    runCucumberInDocker(options, args),
    runCucumberInDocker(options, [...args, '--format', 'message']),
  ]);
  const envelopes = envelopesIn(withMessages.stdout);
  if (envelopes.length === 0 && withMessages.exitCode !== 0) {
    // cucumber-js 6, for one, has no message formatter.
    throw new Error(`cucumber-js wrote no messages with --format message:\n${withMessages.stderr}`);
  }
  const results = resultsFromEnvelopes(envelopes);
  const printed = printedSummaryLines(plain.stdout);
  const scenarios = printed.find((line) => /^\d+ scenarios?/.test(line));
  const steps = printed.find((line) => /^\d+ steps?/.test(line));
  return {
    exitCode: plain.exitCode,
    summary: scenarios !== undefined && steps !== undefined ? { scenarios, steps } : null,
    summaryFromMessages: results.summary,
    scenarios: results.scenarios,
    attachments: results.attachments,
    stdout: plain.stdout,
    stderr: plain.stderr,
  };
}

function runCucumberInDocker(options: BaselineOptions, args: readonly string[]): Promise<ProcessResult> {
  const dockerArgs = ['run', '--rm', '--network', 'none'];
  if (options.workDir !== undefined) dockerArgs.push('--workdir', options.workDir);
  dockerArgs.push(options.image, 'node_modules/.bin/cucumber-js', ...args);
  return new Promise((resolve, reject) => {
    const child = spawn('docker', dockerArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.once('error', reject);
    child.once('close', (code, signal) => {
      const result = {
        exitCode: code ?? -1,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
      };
      // 125: docker itself failed (no such image...), not cucumber.
      if (code === null || code === 125) {
        reject(new Error(`docker ${dockerArgs.join(' ')} ended with ${String(signal ?? code)}:\n${result.stderr}`));
      } else {
        resolve(result);
      }
    });
  });
}
