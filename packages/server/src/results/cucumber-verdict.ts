import type { ErrorCode, ExpectedScenario, FileStatus, ScenarioStatus } from '@baleen/protocol';

/** What is known of a cucumber container that exited by itself (not killed, not out of memory). */
export interface CucumberEvidence {
  file: string;
  exitCode: number;
  /** A --before-command ran first: when the runner never started, that script is what failed. */
  beforeCommand: boolean;
  /** The in-container runner said hello: node ran and the channel worked. */
  runnerStarted: boolean;
  /** The runner could not start cucumber (not found, too old...). */
  runnerError: { code: ErrorCode; message: string } | undefined;
  /** The channel lost or garbled a frame. */
  channelBroken: string | undefined;
  /** cucumber's testRunFinished arrived. */
  runFinished: boolean;
  /** Expected scenarios that never finished (empty when none were expected, or all finished). */
  missing: readonly ExpectedScenario[];
  /** Without an expected list: test cases that started or were planned and never finished. */
  unfinished: number;
  statuses: readonly ScenarioStatus[];
  /** A BeforeAll/AfterAll hook failed, or cucumber said why the run failed. */
  runFailure: string | undefined;
}

export interface Verdict {
  status: Extract<FileStatus, 'passed' | 'failed' | 'error'>;
  error?: { code: ErrorCode; message: string };
}

/** Exit codes of a shell that could not find or run a command. */
const COMMAND_NOT_RUN = new Set([126, 127]);

/**
 * How a cucumber file ended, from what its container said. The exit code decides pass or fail as it does for
 * cucumber-js, except where it would lie: a run that exited 0 before running every scenario it should have is not a
 * pass. And a failure of Baleen's own machinery (runner, channel) is an error of Baleen, never the user's scenarios.
 */
export function cucumberVerdict(evidence: CucumberEvidence): Verdict {
  const { exitCode } = evidence;
  if (evidence.runnerError !== undefined) return { status: 'error', error: evidence.runnerError };
  if (!evidence.runnerStarted) {
    if (evidence.beforeCommand && exitCode !== 0) return { status: 'failed' };
    if (COMMAND_NOT_RUN.has(exitCode)) {
      return error(
        'RUNNER_FAILED',
        `the container could not run 'node' (exit ${exitCode}): Baleen runs cucumber-js with the image's own node, ` +
          'which must be on its PATH',
      );
    }
    return error(
      'RUNNER_FAILED',
      `Baleen's cucumber runner did not start in the container (exit ${exitCode}); its stderr below says why`,
    );
  }
  if (evidence.channelBroken !== undefined) {
    return error(
      'CHANNEL_BROKEN',
      `the message channel from cucumber-js was damaged (${evidence.channelBroken}), so this file's scenario ` +
        'results are incomplete; this is a Baleen fault, not your tests’ — please report it',
    );
  }
  const missing = evidence.missing.length > 0 ? ` ${describeMissing(evidence.file, evidence.missing)}` : '';
  if (exitCode !== 0) {
    if (evidence.runFailure !== undefined) return failed('HOOK_FAILED', `${evidence.runFailure}.${missing}`);
    if (missing !== '') return failed('INCOMPLETE', `cucumber-js exited ${exitCode}.${missing}`);
    return { status: 'failed' };
  }
  if (evidence.runFinished) {
    if (missing === '') return { status: 'passed' };
    return failed(
      'SCENARIOS_MISSING',
      `cucumber-js finished without running every scenario expected.${missing} The image's copy of this file may ` +
        'differ from yours: rebuild the image, or send your tree with --sync',
    );
  }
  // Exited 0 without finishing its run: a step or hook called process.exit(0).
  const early = 'the process exited 0 before cucumber-js finished its run (did a step or hook call process.exit?)';
  if (missing !== '') return failed('INCOMPLETE', `${early}.${missing}`);
  if (evidence.unfinished > 0) {
    const count = evidence.unfinished;
    return failed('INCOMPLETE', `${early}; ${count} scenario${count === 1 ? '' : 's'} never finished`);
  }
  if (evidence.statuses.length === 0) return failed('INCOMPLETE', `${early}, and no scenario ran`);
  if (evidence.statuses.some((status) => status !== 'passed' && status !== 'skipped')) {
    return failed('INCOMPLETE', `${early}, after a scenario that did not pass`);
  }
  // Every scenario ran and passed, and then an AfterAll (say) ended the process with 0: as cucumber-js says.
  return { status: 'passed' };
}

function error(code: ErrorCode, message: string): Verdict {
  return { status: 'error', error: { code, message } };
}

function failed(code: ErrorCode, message: string): Verdict {
  return { status: 'failed', error: { code, message } };
}

/** "2 scenarios never ran: a.feature:12 (Name), a.feature:20 (Other)" — the first few, then how many more. */
export function describeMissing(file: string, missing: readonly ExpectedScenario[], shown = 5): string {
  const listed = missing.slice(0, shown).map((scenario) => `${file}:${scenario.line} (${scenario.name})`);
  const more = missing.length > shown ? `, and ${missing.length - shown} more` : '';
  const count = missing.length;
  return `${count} scenario${count === 1 ? '' : 's'} never ran: ${listed.join(', ')}${more}.`;
}
