import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DEFAULT_CONTAINER_LIMITS,
  settingsFromLimits,
  type ContainerSettings,
  type ContainerSpec,
} from '../container-backend.js';
import { containerCreateOptions, gpuDeviceRequest } from './container-create-options.js';

const MIB = 1024 * 1024;

function spec(settings: Partial<ContainerSettings> = {}, rest: Partial<Omit<ContainerSpec, 'settings'>> = {}) {
  const full: ContainerSpec = {
    settings: { ...settingsFromLimits(DEFAULT_CONTAINER_LIMITS), ...settings },
    mounts: [],
    image: 'node:22-alpine',
    argv: ['node', '--test', 'a.test.js'],
    workDir: undefined,
    env: {},
    labels: {},
    maxOutputBytes: 1024,
    ...rest,
  };
  return full;
}

describe('containerCreateOptions', () => {
  describe('safe defaults', () => {
    const options = containerCreateOptions(spec());
    const host = options.HostConfig!;

    it('cannot gain privileges and is not privileged', () => {
      assert.deepEqual(host.SecurityOpt, ['no-new-privileges']);
      assert.equal(host.Privileged, false);
    });

    it('has the memory limit with no extra swap and the pids limit', () => {
      assert.equal(host.Memory, DEFAULT_CONTAINER_LIMITS.memoryBytes);
      assert.equal(host.MemorySwap, host.Memory);
      assert.equal(host.PidsLimit, DEFAULT_CONTAINER_LIMITS.pidsLimit);
    });

    it('has no log driver, is not auto-removed, and uses the network from the settings', () => {
      assert.deepEqual(host.LogConfig, { Type: 'none', Config: {} });
      assert.equal(host.AutoRemove, false);
      assert.equal(host.NetworkMode, 'none');
      assert.equal(host.ReadonlyRootfs, false);
    });

    it('attaches stdout and stderr, without a TTY or stdin', () => {
      assert.equal(options.Tty, false);
      assert.equal(options.AttachStdin, false);
      assert.equal(options.OpenStdin, false);
      assert.equal(options.AttachStdout, true);
      assert.equal(options.AttachStderr, true);
    });

    it('has no binds or mounts', () => {
      assert.deepEqual(host.Binds, []);
      assert.deepEqual(host.Mounts, []);
    });

    it('leaves every optional field out when it is not set', () => {
      for (const key of ['NanoCpus', 'CpusetCpus', 'ShmSize', 'DeviceRequests', 'Tmpfs', 'PortBindings']) {
        assert.equal(key in host, false, `HostConfig.${key} should be absent`);
      }
      for (const key of ['WorkingDir', 'User', 'Hostname', 'Entrypoint', 'ExposedPorts']) {
        assert.equal(key in options, false, `${key} should be absent`);
      }
    });
  });

  it('keeps the safe defaults whatever else is set', () => {
    const host = containerCreateOptions(
      spec({
        privileged: true,
        memoryBytes: 512 * MIB,
        pidsLimit: 50,
        network: 'bridge',
        readOnly: true,
        keep: true,
        cpus: 2,
        gpus: 'all',
      }),
    ).HostConfig!;
    assert.deepEqual(host.SecurityOpt, ['no-new-privileges']);
    assert.equal(host.Privileged, true);
    assert.equal(host.Memory, 512 * MIB);
    assert.equal(host.MemorySwap, 512 * MIB);
    assert.equal(host.PidsLimit, 50);
    assert.equal(host.NetworkMode, 'bridge');
    assert.equal(host.ReadonlyRootfs, true);
    assert.equal(host.AutoRemove, false, 'keep or not, the container is removed in cleanup, never auto-removed');
    assert.deepEqual(host.LogConfig, { Type: 'none', Config: {} });
  });

  it('passes image, command, env as K=V and labels', () => {
    const options = containerCreateOptions(
      spec(
        {},
        {
          image: 'registry.local/runner:2',
          argv: ['npx', 'cucumber-js', 'features/a.feature'],
          env: { CI: '1', EQUALS: 'a=b', EMPTY: '' },
          labels: { 'baleen.run': 'r1', 'baleen.file': 'features/a.feature' },
        },
      ),
    );
    assert.equal(options.Image, 'registry.local/runner:2');
    assert.deepEqual(options.Cmd, ['npx', 'cucumber-js', 'features/a.feature']);
    assert.deepEqual(options.Env, ['CI=1', 'EQUALS=a=b', 'EMPTY=']);
    assert.deepEqual(options.Labels, { 'baleen.run': 'r1', 'baleen.file': 'features/a.feature' });
  });

  it('sets NanoCpus from cpus', () => {
    assert.equal(containerCreateOptions(spec({ cpus: 1.5 })).HostConfig!.NanoCpus, 1_500_000_000);
    assert.equal(containerCreateOptions(spec({ cpus: 0.25 })).HostConfig!.NanoCpus, 250_000_000);
    assert.equal(containerCreateOptions(spec({ cpus: 4 })).HostConfig!.NanoCpus, 4_000_000_000);
  });

  it('rounds NanoCpus to a whole number', () => {
    const nano = containerCreateOptions(spec({ cpus: 0.1 + 0.2 })).HostConfig!.NanoCpus!;
    assert.equal(nano, 300_000_000);
    assert.ok(Number.isInteger(nano));
  });

  it('sets CpusetCpus and ShmSize', () => {
    const host = containerCreateOptions(spec({ cpusetCpus: '0-3', shmSizeBytes: 256 * MIB })).HostConfig!;
    assert.equal(host.CpusetCpus, '0-3');
    assert.equal(host.ShmSize, 256 * MIB);
  });

  it('binds the client volumes as SOURCE:TARGET, with :ro when read-only', () => {
    const host = containerCreateOptions(
      spec({
        volumes: [
          { source: '/srv/fixtures', target: '/fixtures', readOnly: true },
          { source: 'cache', target: '/cache', readOnly: false },
        ],
      }),
    ).HostConfig!;
    assert.deepEqual(host.Binds, ['/srv/fixtures:/fixtures:ro', 'cache:/cache']);
  });

  it("mounts Baleen's own volumes as volume mounts", () => {
    const host = containerCreateOptions(
      spec(
        {},
        {
          mounts: [
            { volume: 'baleen-job-123', target: '/job', readOnly: true },
            { volume: 'baleen-scratch-123', target: '/scratch', readOnly: false },
          ],
        },
      ),
    ).HostConfig!;
    assert.deepEqual(host.Mounts, [
      { Type: 'volume', Source: 'baleen-job-123', Target: '/job', ReadOnly: true },
      { Type: 'volume', Source: 'baleen-scratch-123', Target: '/scratch', ReadOnly: false },
    ]);
    assert.deepEqual(host.Binds, [], 'Baleen volumes are never binds');
  });

  it('maps tmpfs mounts to their options, empty when none', () => {
    const host = containerCreateOptions(
      spec({ tmpfs: [{ target: '/tmp', options: 'size=64m,mode=1777' }, { target: '/run' }] }),
    ).HostConfig!;
    assert.deepEqual(host.Tmpfs, { '/tmp': 'size=64m,mode=1777', '/run': '' });
  });

  it('publishes ports: PortBindings and ExposedPorts keyed PORT/PROTOCOL, empty HostPort when not given', () => {
    const options = containerCreateOptions(
      spec({
        network: 'bridge',
        publish: [
          { containerPort: 8080, hostPort: 18080, protocol: 'tcp' },
          { containerPort: 53, protocol: 'udp' },
        ],
      }),
    );
    assert.deepEqual(options.ExposedPorts, { '8080/tcp': {}, '53/udp': {} });
    assert.deepEqual(options.HostConfig!.PortBindings, {
      '8080/tcp': [{ HostPort: '18080' }],
      '53/udp': [{ HostPort: '' }],
    });
  });

  it('publishes the same port number over tcp and udp separately', () => {
    const options = containerCreateOptions(
      spec({
        network: 'bridge',
        publish: [
          { containerPort: 53, hostPort: 5353, protocol: 'tcp' },
          { containerPort: 53, hostPort: 5353, protocol: 'udp' },
        ],
      }),
    );
    assert.deepEqual(options.HostConfig!.PortBindings, {
      '53/tcp': [{ HostPort: '5353' }],
      '53/udp': [{ HostPort: '5353' }],
    });
  });

  // `docker run -p 18080:8080 -p 18081:8080` binds both host ports; the Docker backend's bound-port reader also
  // expects a list of bindings per container port. Each publish of the same container port must be kept.
  it('keeps every host binding when one container port is published twice', () => {
    const options = containerCreateOptions(
      spec({
        network: 'bridge',
        publish: [
          { containerPort: 8080, hostPort: 18080, protocol: 'tcp' },
          { containerPort: 8080, hostPort: 18081, protocol: 'tcp' },
        ],
      }),
    );
    assert.deepEqual(options.ExposedPorts, { '8080/tcp': {} });
    assert.deepEqual(options.HostConfig!.PortBindings, {
      '8080/tcp': [{ HostPort: '18080' }, { HostPort: '18081' }],
    });
  });

  it('asks for GPUs through a device request', () => {
    assert.deepEqual(containerCreateOptions(spec({ gpus: 'all' })).HostConfig!.DeviceRequests, [
      { Driver: '', Capabilities: [['gpu']], Count: -1 },
    ]);
  });

  it('sets Entrypoint, User, Hostname and WorkingDir', () => {
    const options = containerCreateOptions(
      spec({ entrypoint: ['/usr/bin/env', 'node'], user: '1000:1000', hostname: 'runner-1' }, { workDir: '/app' }),
    );
    assert.deepEqual(options.Entrypoint, ['/usr/bin/env', 'node']);
    assert.equal(options.User, '1000:1000');
    assert.equal(options.Hostname, 'runner-1');
    assert.equal(options.WorkingDir, '/app');
  });
});

describe('gpuDeviceRequest', () => {
  it("asks for every GPU with 'all' (Count -1)", () => {
    assert.deepEqual(gpuDeviceRequest('all'), { Driver: '', Capabilities: [['gpu']], Count: -1 });
  });

  it('asks for a number of GPUs with a count', () => {
    assert.deepEqual(gpuDeviceRequest('2'), { Driver: '', Capabilities: [['gpu']], Count: 2 });
    assert.deepEqual(gpuDeviceRequest('1'), { Driver: '', Capabilities: [['gpu']], Count: 1 });
  });

  it('asks for named devices with device=ID,ID, without a Count', () => {
    const request = gpuDeviceRequest('device=0,1');
    assert.deepEqual(request, { Driver: '', Capabilities: [['gpu']], DeviceIDs: ['0', '1'] });
    assert.equal('Count' in request, false);
    assert.deepEqual(gpuDeviceRequest('device=GPU-3a2b').DeviceIDs, ['GPU-3a2b']);
  });
});
