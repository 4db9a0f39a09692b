import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cucumberVerdict, type CucumberEvidence } from './cucumber-verdict.js';

const ran: CucumberEvidence = {
  file: 'a.feature',
  exitCode: 0,
  beforeCommand: false,
  runnerStarted: true,
  runnerError: undefined,
  channelBroken: undefined,
  runFinished: true,
  missing: [],
  unfinished: 0,
  statuses: ['passed'],
  runFailure: undefined,
};
const missing = [{ line: 7, name: 'Pays' }];

describe('cucumberVerdict: every way a cucumber container that exited by itself can have gone', () => {
  const table: [string, Partial<CucumberEvidence>, string, string | undefined, RegExp?][] = [
    ['a finished run that exited 0', {}, 'passed', undefined],
    ['a finished run that exited 1', { exitCode: 1, statuses: ['failed'] }, 'failed', undefined],
    ['a failed AfterAll', { exitCode: 1, runFailure: 'AfterAll hook failed: boom' }, 'failed', 'HOOK_FAILED', /boom/],
    ['exit 1 with scenarios never run', { exitCode: 1, missing }, 'failed', 'INCOMPLETE', /a\.feature:7 \(Pays\)/],
    ['exit 0 after process.exit in a step', { runFinished: false, missing }, 'failed', 'INCOMPLETE', /process\.exit/],
    ['exit 0 with a started scenario unfinished', { runFinished: false, unfinished: 1 }, 'failed', 'INCOMPLETE'],
    ['exit 0 before the end, nothing ran', { runFinished: false, statuses: [] }, 'failed', 'INCOMPLETE', /no scenario/],
    ['exit 0 before the end, a failure', { runFinished: false, statuses: ['failed'] }, 'failed', 'INCOMPLETE'],
    ['exit 0 in AfterAll after every scenario passed', { runFinished: false }, 'passed', undefined],
    ['a finished run without expected ones', { missing }, 'failed', 'SCENARIOS_MISSING', /--sync/],
    [
      'no cucumber in the image',
      { runnerError: { code: 'CUCUMBER_NOT_FOUND', message: 'x' } },
      'error',
      'CUCUMBER_NOT_FOUND',
    ],
    ['a damaged channel', { channelBroken: 'frame 3 missing' }, 'error', 'CHANNEL_BROKEN', /frame 3 missing/],
    ['no node in the image', { runnerStarted: false, exitCode: 127 }, 'error', 'RUNNER_FAILED', /'node'/],
    ['a runner that never started', { runnerStarted: false, exitCode: 1 }, 'error', 'RUNNER_FAILED'],
    ['a failed before-command', { runnerStarted: false, exitCode: 3, beforeCommand: true }, 'failed', undefined],
  ];
  for (const [name, evidence, status, code, message] of table) {
    it(name, () => {
      const verdict = cucumberVerdict({ ...ran, ...evidence });
      assert.equal(verdict.status, status);
      assert.equal(verdict.error?.code, code);
      if (message !== undefined) assert.match(verdict.error?.message ?? '', message);
    });
  }
});
