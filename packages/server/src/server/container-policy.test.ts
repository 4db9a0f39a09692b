import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ContainerRequest } from '@baleen/protocol';
import { DEFAULT_CONTAINER_LIMITS, type ContainerSettings } from '../backend/container-backend.js';
import {
  OPEN_POLICY,
  STRICT_POLICY,
  resolveContainer,
  type ContainerPolicy,
  type ResolvedContainer,
} from './container-policy.js';

const MIB = 1024 * 1024;

function settingsOf(resolved: ResolvedContainer): ContainerSettings {
  if ('refusals' in resolved) assert.fail(`expected settings, got refusals: ${resolved.refusals.join('; ')}`);
  return resolved.settings;
}

function refusalsOf(resolved: ResolvedContainer): string[] {
  if ('settings' in resolved) assert.fail('expected refusals, got settings');
  return resolved.refusals;
}

function policy(overrides: Partial<ContainerPolicy>): ContainerPolicy {
  return { ...STRICT_POLICY, ...overrides };
}

describe('resolveContainer', () => {
  describe('with no request', () => {
    it("gives the strict policy's limits as settings with safe defaults", () => {
      assert.deepEqual(settingsOf(resolveContainer(undefined, STRICT_POLICY)), {
        pidsLimit: DEFAULT_CONTAINER_LIMITS.pidsLimit,
        memoryBytes: DEFAULT_CONTAINER_LIMITS.memoryBytes,
        network: 'none',
        privileged: false,
        readOnly: false,
        keep: false,
        tmpfs: [],
        volumes: [],
        publish: [],
      });
    });

    it('treats an empty request the same as none', () => {
      assert.deepEqual(resolveContainer({}, STRICT_POLICY), resolveContainer(undefined, STRICT_POLICY));
    });

    it("gives the open policy's limits (its bridge network) without turning on what it merely allows", () => {
      const settings = settingsOf(resolveContainer(undefined, OPEN_POLICY));
      assert.equal(settings.network, 'bridge');
      assert.equal(settings.privileged, false);
      assert.equal(settings.keep, false);
      assert.equal(settings.readOnly, false);
      assert.deepEqual(settings.volumes, []);
      assert.deepEqual(settings.publish, []);
      assert.equal(settings.gpus, undefined);
    });

    it("uses a custom policy's limits", () => {
      const custom = policy({ limits: { pidsLimit: 64, memoryBytes: 256 * MIB, network: 'ci-net' } });
      const settings = settingsOf(resolveContainer(undefined, custom));
      assert.equal(settings.pidsLimit, 64);
      assert.equal(settings.memoryBytes, 256 * MIB);
      assert.equal(settings.network, 'ci-net');
    });

    it('leaves the optional settings out rather than setting them to undefined', () => {
      const settings = settingsOf(resolveContainer(undefined, OPEN_POLICY));
      for (const key of ['cpus', 'cpusetCpus', 'user', 'hostname', 'entrypoint', 'shmSizeBytes', 'gpus']) {
        assert.equal(key in settings, false, `${key} should be absent`);
      }
    });
  });

  describe('under the strict policy', () => {
    it('refuses --privileged, naming --allow-privileged', () => {
      const refusals = refusalsOf(resolveContainer({ privileged: true }, STRICT_POLICY));
      assert.equal(refusals.length, 1);
      assert.match(refusals[0]!, /--privileged is not allowed on this server/);
      assert.match(refusals[0]!, /baleen-server --allow-privileged/);
    });

    it('accepts privileged: false', () => {
      assert.equal(settingsOf(resolveContainer({ privileged: false }, STRICT_POLICY)).privileged, false);
    });

    it('refuses a network other than none or its default, naming --allow-network NAME', () => {
      const bridge = refusalsOf(resolveContainer({ network: 'bridge' }, STRICT_POLICY));
      assert.equal(bridge.length, 1);
      assert.match(bridge[0]!, /network 'bridge' is not allowed/);
      assert.match(bridge[0]!, /baleen-server --allow-network bridge\b/);

      const host = refusalsOf(resolveContainer({ network: 'host' }, STRICT_POLICY));
      assert.match(host[0]!, /--allow-network host\b/);
    });

    it('accepts network none and its own default network', () => {
      assert.equal(settingsOf(resolveContainer({ network: 'none' }, STRICT_POLICY)).network, 'none');
      const withDefault = policy({ limits: { ...DEFAULT_CONTAINER_LIMITS, network: 'ci-net' } });
      assert.equal(settingsOf(resolveContainer({ network: 'ci-net' }, withDefault)).network, 'ci-net');
      assert.equal(settingsOf(resolveContainer({ network: 'none' }, withDefault)).network, 'none');
      assert.match(refusalsOf(resolveContainer({ network: 'bridge' }, withDefault))[0]!, /--allow-network bridge/);
    });

    it('refuses volumes, naming --allow-volumes', () => {
      const refusals = refusalsOf(
        resolveContainer({ volumes: [{ source: '/data', target: '/data', readOnly: true }] }, STRICT_POLICY),
      );
      assert.equal(refusals.length, 1);
      assert.match(refusals[0]!, /--volume is not allowed.*--allow-volumes/);
    });

    it('accepts an empty volume list', () => {
      assert.deepEqual(settingsOf(resolveContainer({ volumes: [] }, STRICT_POLICY)).volumes, []);
    });

    it('refuses gpus, naming --allow-gpus', () => {
      const refusals = refusalsOf(resolveContainer({ gpus: 'all' }, STRICT_POLICY));
      assert.equal(refusals.length, 1);
      assert.match(refusals[0]!, /--gpus is not allowed.*--allow-gpus/);
    });

    it('refuses publish, naming --allow-publish', () => {
      const refusals = refusalsOf(
        resolveContainer(
          { network: 'bridge', publish: [{ containerPort: 8080, protocol: 'tcp' }] },
          policy({ allowNetworks: ['bridge'] }),
        ),
      );
      assert.equal(refusals.length, 1);
      assert.match(refusals[0]!, /--publish is not allowed.*--allow-publish/);
    });

    it('refuses keep, naming --allow-keep, and accepts keep: false', () => {
      const refusals = refusalsOf(resolveContainer({ keep: true }, STRICT_POLICY));
      assert.equal(refusals.length, 1);
      assert.match(refusals[0]!, /--keep is not allowed.*--allow-keep/);
      assert.equal(settingsOf(resolveContainer({ keep: false }, STRICT_POLICY)).keep, false);
    });

    it('refuses memory above the limit, in MiB, naming --memory-mb', () => {
      const limit = DEFAULT_CONTAINER_LIMITS.memoryBytes;
      const refusals = refusalsOf(resolveContainer({ memoryBytes: limit + 1 }, STRICT_POLICY));
      assert.equal(refusals.length, 1);
      assert.equal(
        refusals[0],
        `memory ${limit / MIB + 1} MiB is above this server's limit of ${limit / MIB} MiB (baleen-server --memory-mb)`,
      );
    });

    it('accepts memory exactly at the limit', () => {
      const limit = DEFAULT_CONTAINER_LIMITS.memoryBytes;
      assert.equal(settingsOf(resolveContainer({ memoryBytes: limit }, STRICT_POLICY)).memoryBytes, limit);
    });

    it('refuses a pids limit above the limit, naming --pids-limit', () => {
      const limit = DEFAULT_CONTAINER_LIMITS.pidsLimit;
      const refusals = refusalsOf(resolveContainer({ pidsLimit: limit + 1 }, STRICT_POLICY));
      assert.equal(refusals.length, 1);
      assert.equal(
        refusals[0],
        `a pids limit of ${limit + 1} is above this server's limit of ${limit} (baleen-server --pids-limit)`,
      );
      assert.equal(settingsOf(resolveContainer({ pidsLimit: limit }, STRICT_POLICY)).pidsLimit, limit);
    });

    it('allows tightening memory and pids below the limits', () => {
      const settings = settingsOf(resolveContainer({ memoryBytes: 512 * MIB, pidsLimit: 100 }, STRICT_POLICY));
      assert.equal(settings.memoryBytes, 512 * MIB);
      assert.equal(settings.pidsLimit, 100);
    });

    it('allows what does not loosen isolation: read-only, tmpfs, cpus, user, hostname, entrypoint, shm', () => {
      const settings = settingsOf(
        resolveContainer(
          {
            readOnly: true,
            tmpfs: [{ target: '/scratch', options: 'size=64m' }],
            cpus: 0.5,
            cpusetCpus: '0-1',
            user: '1000:1000',
            hostname: 'tester',
            entrypoint: ['/bin/sh'],
            shmSizeBytes: 64 * MIB,
          },
          STRICT_POLICY,
        ),
      );
      assert.equal(settings.readOnly, true);
      assert.deepEqual(settings.tmpfs, [{ target: '/scratch', options: 'size=64m' }]);
      assert.equal(settings.cpus, 0.5);
      assert.equal(settings.cpusetCpus, '0-1');
      assert.equal(settings.user, '1000:1000');
      assert.equal(settings.hostname, 'tester');
      assert.deepEqual(settings.entrypoint, ['/bin/sh']);
      assert.equal(settings.shmSizeBytes, 64 * MIB);
      assert.equal(settings.network, 'none');
      assert.equal(settings.privileged, false);
    });

    it('returns every refusal together in one result, and no settings', () => {
      const resolved = resolveContainer(
        {
          memoryBytes: DEFAULT_CONTAINER_LIMITS.memoryBytes * 2,
          pidsLimit: DEFAULT_CONTAINER_LIMITS.pidsLimit * 2,
          privileged: true,
          network: 'host',
          volumes: [{ source: 'cache', target: '/cache', readOnly: false }],
          gpus: '2',
          publish: [{ containerPort: 80, protocol: 'tcp' }],
          keep: true,
        },
        STRICT_POLICY,
      );
      assert.equal('settings' in resolved, false);
      const refusals = refusalsOf(resolved);
      assert.equal(refusals.length, 8, refusals.join('\n'));
      const expected = [
        /^memory .* above this server's limit/,
        /^a pids limit of .* above this server's limit/,
        /--allow-privileged/,
        /--allow-network host/,
        /--allow-volumes/,
        /--allow-gpus/,
        /--allow-publish/,
        /--allow-keep/,
      ];
      for (const pattern of expected) {
        assert.ok(
          refusals.some((refusal) => pattern.test(refusal)),
          `no refusal matches ${String(pattern)}:\n${refusals.join('\n')}`,
        );
      }
    });
  });

  describe('under the open policy', () => {
    it('allows privileged, any network, volumes, gpus, publish and keep', () => {
      const request: ContainerRequest = {
        privileged: true,
        network: 'my-test-net',
        volumes: [{ source: '/srv/data', target: '/data', readOnly: true }],
        gpus: 'all',
        publish: [{ containerPort: 8080, hostPort: 18080, protocol: 'tcp' }],
        keep: true,
      };
      const settings = settingsOf(resolveContainer(request, OPEN_POLICY));
      assert.equal(settings.privileged, true);
      assert.equal(settings.network, 'my-test-net');
      assert.deepEqual(settings.volumes, request.volumes);
      assert.equal(settings.gpus, 'all');
      assert.deepEqual(settings.publish, request.publish);
      assert.equal(settings.keep, true);
    });

    it('allows host networking', () => {
      assert.equal(settingsOf(resolveContainer({ network: 'host' }, OPEN_POLICY)).network, 'host');
    });

    it('still refuses memory and pids above its limits', () => {
      const refusals = refusalsOf(
        resolveContainer(
          {
            memoryBytes: OPEN_POLICY.limits.memoryBytes + MIB,
            pidsLimit: OPEN_POLICY.limits.pidsLimit + 1,
          },
          OPEN_POLICY,
        ),
      );
      assert.equal(refusals.length, 2);
    });
  });

  describe('network allow-list', () => {
    it("allows any network with allowNetworks ['*']", () => {
      const anyNetwork = policy({ allowNetworks: ['*'] });
      for (const network of ['bridge', 'host', 'some-user-net']) {
        assert.equal(settingsOf(resolveContainer({ network }, anyNetwork)).network, network);
      }
    });

    it('allows only the listed networks', () => {
      const listed = policy({ allowNetworks: ['bridge', 'ci-net'] });
      assert.equal(settingsOf(resolveContainer({ network: 'bridge' }, listed)).network, 'bridge');
      assert.equal(settingsOf(resolveContainer({ network: 'ci-net' }, listed)).network, 'ci-net');
      assert.match(refusalsOf(resolveContainer({ network: 'host' }, listed))[0]!, /--allow-network host/);
    });
  });

  describe('publish needs a network', () => {
    const port = { containerPort: 8080, protocol: 'tcp' as const };

    it('refuses publish with network none even when publish is allowed', () => {
      const refusals = refusalsOf(resolveContainer({ network: 'none', publish: [port] }, OPEN_POLICY));
      assert.equal(refusals.length, 1);
      assert.match(refusals[0]!, /--publish needs a network/);
      assert.match(refusals[0]!, /--network bridge/);
    });

    it("refuses publish when the server's default network is none and no network is asked for", () => {
      const refusals = refusalsOf(resolveContainer({ publish: [port] }, policy({ allowPublish: true })));
      assert.equal(refusals.length, 1);
      assert.match(refusals[0]!, /--publish needs a network/);
    });

    it('allows publish on the default bridge network of the open policy', () => {
      const settings = settingsOf(resolveContainer({ publish: [port] }, OPEN_POLICY));
      assert.equal(settings.network, 'bridge');
      assert.deepEqual(settings.publish, [port]);
    });

    it('reports both a forbidden publish and the missing network', () => {
      const refusals = refusalsOf(resolveContainer({ publish: [port] }, STRICT_POLICY));
      assert.equal(refusals.length, 2);
      assert.ok(refusals.some((refusal) => /--allow-publish/.test(refusal)));
      assert.ok(refusals.some((refusal) => /--publish needs a network/.test(refusal)));
    });
  });

  it('carries every requested field into the settings', () => {
    const request: Required<ContainerRequest> = {
      memoryBytes: 1024 * MIB,
      cpus: 1.5,
      cpusetCpus: '0,2',
      pidsLimit: 256,
      network: 'bridge',
      privileged: true,
      user: 'node:node',
      hostname: 'runner-1',
      entrypoint: ['/usr/bin/env', 'node'],
      shmSizeBytes: 256 * MIB,
      gpus: 'device=0,1',
      tmpfs: [{ target: '/tmp', options: 'size=64m,mode=1777' }, { target: '/run' }],
      readOnly: true,
      volumes: [
        { source: '/srv/fixtures', target: '/fixtures', readOnly: true },
        { source: 'cache', target: '/cache', readOnly: false },
      ],
      publish: [
        { containerPort: 8080, hostPort: 18080, protocol: 'tcp' },
        { containerPort: 53, protocol: 'udp' },
      ],
      keep: true,
    };
    const settings = settingsOf(resolveContainer(request, OPEN_POLICY));
    // The request names every setting, under the same names, so the settings are the request itself.
    assert.deepEqual(Object.keys(settings).sort(), Object.keys(request).sort());
    assert.deepEqual(settings, request);
  });
});
