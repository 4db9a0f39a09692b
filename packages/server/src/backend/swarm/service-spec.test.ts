import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DEFAULT_CONTAINER_LIMITS,
  SHARED_SERVER_CAP_DROP,
  settingsFromLimits,
  type ContainerSettings,
  type ContainerSpec,
} from '../container-backend.js';
import { serviceSpec, unsupportedOnSwarm } from './service-spec.js';

function spec(settings: Partial<ContainerSettings> = {}, rest: Partial<Omit<ContainerSpec, 'settings'>> = {}) {
  const full: ContainerSpec = {
    settings: { ...settingsFromLimits(DEFAULT_CONTAINER_LIMITS), ...settings },
    mounts: [],
    image: 'runner:1',
    argv: ['node', 'cucumber.js', 'features/a b.feature'],
    workDir: '/app',
    env: { BALEEN_RUN_ID: 'run-1' },
    labels: { 'baleen.run': 'run-1' },
    maxOutputBytes: 1024,
    ...rest,
  };
  return full;
}

// Dockerode's typings lack fields the Engine API has (TmpfsOptions, CapabilityDrop): read them loosely.
type Loose = Record<string, unknown>;
function containerSpecOf(options: ReturnType<typeof serviceSpec>): Loose {
  const template = options.TaskTemplate as { ContainerSpec?: Loose } | undefined;
  return template?.ContainerSpec ?? {};
}

function networksOf(full: ContainerSpec): unknown {
  return (serviceSpec('s', full).TaskTemplate as Loose)['Networks'];
}

describe('serviceSpec', () => {
  it('is a one-task job that is never restarted, labelled like a container', () => {
    const options = serviceSpec('baleen-abc', spec());
    assert.equal(options.Name, 'baleen-abc');
    assert.deepEqual(options.Mode, { ReplicatedJob: { MaxConcurrent: 1, TotalCompletions: 1 } });
    assert.deepEqual((options.TaskTemplate as Loose)['RestartPolicy'], { Condition: 'none', MaxAttempts: 0 });
    assert.deepEqual(options.Labels, { 'baleen.run': 'run-1' });
    assert.deepEqual(containerSpecOf(options)['Labels'], { 'baleen.run': 'run-1' });
  });

  it('passes the file names as argv, never through a shell, and the env as KEY=value', () => {
    const container = containerSpecOf(serviceSpec('s', spec()));
    assert.deepEqual(container['Args'], ['node', 'cucumber.js', 'features/a b.feature']);
    assert.equal(container['Command'], undefined, 'the image entrypoint is kept unless one is asked for');
    assert.deepEqual(container['Env'], ['BALEEN_RUN_ID=run-1']);
    assert.equal(container['Dir'], '/app');
  });

  it('maps an entrypoint to Command, as `docker service create --entrypoint` does', () => {
    const container = containerSpecOf(serviceSpec('s', spec({ entrypoint: ['/bin/runner'] })));
    assert.deepEqual(container['Command'], ['/bin/runner']);
  });

  it('keeps the memory, CPU and pids limits', () => {
    const limits = (serviceSpec('s', spec({ cpus: 1.5 })).TaskTemplate as Loose)['Resources'];
    assert.deepEqual(limits, {
      Limits: { MemoryBytes: DEFAULT_CONTAINER_LIMITS.memoryBytes, NanoCPUs: 1.5e9, Pids: 1024 },
    });
  });

  it('drops the shared server’s capabilities, and nothing when none are dropped', () => {
    const dropped = containerSpecOf(serviceSpec('s', spec({ capDrop: SHARED_SERVER_CAP_DROP })));
    assert.deepEqual(dropped['CapabilityDrop'], [...SHARED_SERVER_CAP_DROP]);
    assert.equal(containerSpecOf(serviceSpec('s', spec()))['CapabilityDrop'], undefined);
  });

  it('mounts volumes, the run’s own volumes and sized tmpfs', () => {
    const mounts = containerSpecOf(
      serviceSpec(
        's',
        spec(
          {
            volumes: [
              { source: '/srv/data', target: '/data', readOnly: true },
              { source: 'cache', target: '/cache', readOnly: false },
            ],
            tmpfs: [{ target: '/tmp', options: 'rw,size=64m' }, { target: '/scratch' }],
          },
          { mounts: [{ volume: 'baleen-job-1', target: '/job', readOnly: true }] },
        ),
      ),
    )['Mounts'];
    assert.deepEqual(mounts, [
      { Type: 'bind', Source: '/srv/data', Target: '/data', ReadOnly: true },
      { Type: 'volume', Source: 'cache', Target: '/cache', ReadOnly: false },
      { Type: 'volume', Source: 'baleen-job-1', Target: '/job', ReadOnly: true },
      { Type: 'tmpfs', Source: '', Target: '/tmp', TmpfsOptions: { SizeBytes: 64 * 1024 * 1024 } },
      { Type: 'tmpfs', Source: '', Target: '/scratch' },
    ]);
  });

  it('attaches a named network, and none for the single-engine modes', () => {
    assert.equal(networksOf(spec({ network: 'none' })), undefined);
    assert.equal(networksOf(spec({ network: 'bridge' })), undefined);
    assert.deepEqual(networksOf(spec({ network: 'tests' })), [{ Target: 'tests' }]);
  });
});

describe('unsupportedOnSwarm', () => {
  it('accepts what Swarm can do', () => {
    assert.deepEqual(unsupportedOnSwarm(spec({ cpus: 2, readOnly: true })), []);
  });

  it('names every option Swarm cannot honour instead of dropping it', () => {
    const names = unsupportedOnSwarm(
      spec(
        {
          privileged: true,
          gpus: 'all',
          publish: [{ containerPort: 80, protocol: 'tcp' }],
          cpusetCpus: '0',
          shmSizeBytes: 1,
          keep: true,
        },
        { workspace: () => process.stdin },
      ),
    ).map((reason) => reason.split(' ')[0]);
    assert.deepEqual(names, ['--privileged', '--gpus', '--publish', '--cpuset-cpus', '--shm-size', '--keep', '--sync']);
  });
});
