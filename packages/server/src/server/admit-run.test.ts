import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RunMessage } from '@baleen/protocol';
import { settingsFromLimits } from '../backend/container-backend.js';
import { admitRun, type AdmissionContext } from './admit-run.js';
import { OPEN_IMAGE_POLICY } from './image-policy.js';

const run: RunMessage = {
  type: 'run',
  runRef: 'r1',
  image: 'registry.example.com/team/app-tests:pr-12',
  files: ['features/a.feature'],
  command: ['true'],
  timeoutSeconds: 30,
  concurrency: 16,
  env: {},
};

const context: AdmissionContext = {
  shuttingDown: false,
  runRefUsed: false,
  runsInProgress: 0,
  maxRunsPerClient: 4,
  imagePolicy: OPEN_IMAGE_POLICY,
  syncUnsupported: undefined,
  treeReady: () => true,
  container: { settings: settingsFromLimits({ pidsLimit: 100, memoryBytes: 1 << 30, network: 'none' }) },
  scenarios: { scenarios: [undefined] },
  serverId: 'srv-1',
  capacity: 8,
  maxOutputBytes: 1024,
  owner: 'client-1',
  client: 'team-a',
  runId: 'run-1',
  newSeed: () => 7,
};

describe('admitRun', () => {
  const refusals: [string, Partial<AdmissionContext>, Partial<RunMessage>, string, RegExp][] = [
    ['a server shutting down', { shuttingDown: true }, {}, 'SERVER_SHUTTING_DOWN', /shutting down/],
    ['a runRef used before', { runRefUsed: true }, {}, 'DUPLICATE_RUN_REF', /'r1' was already used/],
    ['too many runs of one token', { runsInProgress: 4 }, {}, 'RUN_REJECTED', /at most 4 at once, per token/],
    [
      'a file outside the work dir',
      {},
      { files: ['../etc/passwd'] },
      'RUN_REJECTED',
      /'..\/etc\/passwd' must be a relative path/,
    ],
    ['an image with ..', {}, { image: 'registry.example.com/../../127.0.0.1:7499/x' }, 'RUN_REJECTED', /image/],
    [
      'a tree this client never synced',
      { treeReady: () => false },
      { sync: { treeHash: 'a'.repeat(64) } },
      'RUN_REJECTED',
      /sync it first/,
    ],
    [
      'sync on a server that cannot',
      { syncUnsupported: 'the swarm backend cannot place a synced workspace' },
      { sync: { treeHash: 'a'.repeat(64) } },
      'RUN_REJECTED',
      /swarm/,
    ],
    [
      'container options not allowed',
      { container: { refusals: ['--privileged needs --allow-privileged'] } },
      {},
      'RUN_REJECTED',
      /--allow-privileged/,
    ],
    [
      'scenario lists that do not fit',
      { scenarios: { refusal: 'run-scenarios names file 3' } },
      {},
      'RUN_REJECTED',
      /names file 3/,
    ],
  ];
  for (const [name, given, message, code, text] of refusals) {
    it(`refuses ${name}`, () => {
      const admission = admitRun({ ...run, ...message }, { ...context, ...given });
      assert.equal(admission.ok, false);
      if (!admission.ok) {
        assert.equal(admission.code, code);
        assert.match(admission.message, text);
      }
    });
  }

  it('names every refusal in one message', () => {
    const admission = admitRun(
      { ...run, files: ['/abs.feature'] },
      { ...context, container: { refusals: ['--gpus needs --allow-gpus'] } },
    );
    assert.ok(!admission.ok && /relative path.*; --gpus needs --allow-gpus/.test(admission.message));
  });

  it('fills the defaults and caps the concurrency at the capacity and the output at the server’s', () => {
    const admission = admitRun({ ...run, maxOutputBytes: 1 << 20, pack: 2.5 }, context);
    assert.ok(admission.ok);
    if (!admission.ok) return;
    const { plan } = admission;
    assert.equal(plan.concurrency, 8);
    assert.equal(plan.maxOutputBytes, 1024);
    assert.equal(plan.suite, 'registry.example.com/team/app-tests', 'the image repository, without its tag');
    assert.equal(plan.order, 'timing');
    assert.equal(plan.seed, 7);
    assert.equal(plan.packMs, 2500);
    assert.equal(plan.split, 'auto');
    assert.equal(plan.client, 'team-a');
  });
});
