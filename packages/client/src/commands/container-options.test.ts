import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BaleenError } from '@baleen/protocol';
import {
  containerRequestFrom,
  environmentFrom,
  parsePublish,
  parseSize,
  parseTmpfs,
  parseVolume,
} from './container-options.js';

const MIB = 1024 ** 2;
const GIB = 1024 ** 3;
const CWD = '/home/dev/project';

/** Asserts `run` throws a BaleenError with code USAGE whose message matches every pattern. */
function assertUsage(run: () => unknown, ...patterns: RegExp[]): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof BaleenError, `expected a BaleenError, got ${String(error)}`);
    assert.equal(error.code, 'USAGE');
    for (const pattern of patterns) assert.match(error.message, pattern);
    return true;
  });
}

describe('parseSize', () => {
  it('reads Docker size notation', () => {
    assert.equal(parseSize('--memory', '512m'), 512 * MIB);
    assert.equal(parseSize('--memory', '1g'), GIB);
    assert.equal(parseSize('--memory', '1.5g'), 1.5 * GIB);
    assert.equal(parseSize('--memory', '64k'), 64 * 1024);
    assert.equal(parseSize('--memory', '1t'), 1024 ** 4);
    assert.equal(parseSize('--memory', '65536'), 65536);
    assert.equal(parseSize('--memory', '100b'), 100);
  });

  it('takes an optional trailing b, upper case units and surrounding spaces', () => {
    assert.equal(parseSize('--memory', '512mb'), 512 * MIB);
    assert.equal(parseSize('--memory', '2GB'), 2 * GIB);
    assert.equal(parseSize('--memory', '256M'), 256 * MIB);
    assert.equal(parseSize('--memory', ' 512m '), 512 * MIB);
  });

  it('rounds a fraction of a byte down', () => {
    assert.equal(parseSize('--memory', '1.5k'), 1536);
    assert.equal(parseSize('--memory', '10.7'), 10);
  });

  it('refuses what is not a size with a usage error naming the flag and the value', () => {
    for (const bad of ['', 'abc', '512x', '-1', '1e3', 'm', '1..5g', '512 megabytes', '1gg']) {
      assertUsage(() => parseSize('--memory', bad), new RegExp(`^--memory '${bad}'`), /expected a size such as 512m/);
    }
  });

  it('names whichever flag it was given', () => {
    assertUsage(() => parseSize('--shm-size', 'lots'), /^--shm-size 'lots'/);
  });

  it('refuses zero bytes', () => {
    assertUsage(() => parseSize('--memory', '0'), /--memory '0': must be more than 0 bytes/);
    assertUsage(() => parseSize('--memory', '0m'), /must be more than 0 bytes/);
    assertUsage(() => parseSize('--memory', '0.5'), /must be more than 0 bytes/);
  });
});

describe('parseVolume', () => {
  it('resolves a relative host path against the current directory', () => {
    assert.deepEqual(parseVolume('./fixtures:/fixtures', CWD), {
      source: '/home/dev/project/fixtures',
      target: '/fixtures',
      readOnly: false,
    });
    assert.deepEqual(parseVolume('../shared/data:/data', CWD).source, '/home/dev/shared/data');
    assert.deepEqual(parseVolume('sub/dir:/dir', CWD).source, '/home/dev/project/sub/dir');
    assert.deepEqual(parseVolume('.:/src', CWD).source, CWD);
  });

  it('keeps an absolute host path', () => {
    assert.deepEqual(parseVolume('/srv/data:/data', CWD).source, '/srv/data');
  });

  it('keeps a name without a slash as a Docker volume', () => {
    assert.deepEqual(parseVolume('npm-cache:/root/.npm', CWD), {
      source: 'npm-cache',
      target: '/root/.npm',
      readOnly: false,
    });
  });

  it('reads :ro as read-only and :rw as writable', () => {
    assert.equal(parseVolume('/srv/data:/data:ro', CWD).readOnly, true);
    assert.equal(parseVolume('/srv/data:/data:rw', CWD).readOnly, false);
  });

  it('refuses malformed volumes with a usage error', () => {
    for (const bad of ['/srv/data', '/srv/data:', ':/data', '/a:/b:rx', '/a:/b:ro:extra', '', 'a::ro']) {
      assertUsage(() => parseVolume(bad, CWD), /^--volume /, /expected HOST:CONTAINER or HOST:CONTAINER:ro/);
    }
  });
});

describe('parseTmpfs', () => {
  it('reads a path alone', () => {
    assert.deepEqual(parseTmpfs('/scratch'), { target: '/scratch' });
  });

  it('reads a path and its options', () => {
    assert.deepEqual(parseTmpfs('/scratch:size=64m,mode=1777'), { target: '/scratch', options: 'size=64m,mode=1777' });
  });

  it('splits at the first colon only', () => {
    assert.deepEqual(parseTmpfs('/a:b:c'), { target: '/a', options: 'b:c' });
  });
});

describe('parsePublish', () => {
  it('reads a container port alone, as tcp with no host port', () => {
    const port = parsePublish('8080');
    assert.deepEqual(port, { containerPort: 8080, protocol: 'tcp' });
    assert.equal('hostPort' in port, false);
  });

  it('reads CONTAINER:HOST with the container port first', () => {
    assert.deepEqual(parsePublish('8080:18080'), { containerPort: 8080, hostPort: 18080, protocol: 'tcp' });
  });

  it('reads a protocol', () => {
    assert.deepEqual(parsePublish('53/udp'), { containerPort: 53, protocol: 'udp' });
    assert.deepEqual(parsePublish('53:5353/udp'), { containerPort: 53, hostPort: 5353, protocol: 'udp' });
    assert.deepEqual(parsePublish('80/tcp'), { containerPort: 80, protocol: 'tcp' });
  });

  it('refuses what is not a port spec with a usage error', () => {
    for (const bad of ['', 'http', '80/sctp', '80:', ':80', '80:81:82', '-1', '0.0.0.0:80:80', '8080 ']) {
      assertUsage(() => parsePublish(bad), /^--publish /, /expected CONTAINER_PORT\[:HOST_PORT\]/);
    }
  });
});

describe('containerRequestFrom', () => {
  it('is undefined when no container flag is given', () => {
    assert.equal(containerRequestFrom({}, CWD), undefined);
  });

  it('maps every flag to its request field', () => {
    assert.deepEqual(
      containerRequestFrom(
        {
          memory: '512m',
          cpus: 1.5,
          cpusetCpus: '0-3',
          pidsLimit: 200,
          network: 'bridge',
          privileged: true,
          user: '1000:1000',
          hostname: 'runner-1',
          entrypoint: '/bin/sh',
          shmSize: '256m',
          gpus: 'device=0,1',
          volume: ['./fixtures:/fixtures:ro', 'cache:/cache'],
          tmpfs: ['/scratch:size=64m'],
          readOnly: true,
          publish: ['8080:18080', '53/udp'],
          keep: true,
        },
        CWD,
      ),
      {
        memoryBytes: 512 * MIB,
        cpus: 1.5,
        cpusetCpus: '0-3',
        pidsLimit: 200,
        network: 'bridge',
        privileged: true,
        user: '1000:1000',
        hostname: 'runner-1',
        entrypoint: ['/bin/sh'],
        shmSizeBytes: 256 * MIB,
        gpus: 'device=0,1',
        volumes: [
          { source: '/home/dev/project/fixtures', target: '/fixtures', readOnly: true },
          { source: 'cache', target: '/cache', readOnly: false },
        ],
        tmpfs: [{ target: '/scratch', options: 'size=64m' }],
        readOnly: true,
        publish: [
          { containerPort: 8080, hostPort: 18080, protocol: 'tcp' },
          { containerPort: 53, protocol: 'udp' },
        ],
        keep: true,
      },
    );
  });

  it('carries only the fields given, and keeps explicit false', () => {
    const request = containerRequestFrom({ memory: '1g', privileged: false }, CWD);
    assert.deepEqual(request, { memoryBytes: GIB, privileged: false });
  });

  it('rejects a bad --user with a usage error naming the flag and the value', () => {
    assertUsage(() => containerRequestFrom({ user: 'bad user' }, CWD), /^--user bad user:/);
    assertUsage(() => containerRequestFrom({ user: 'a:b:c' }, CWD), /^--user a:b:c:/);
  });

  it('rejects a bad --network with a usage error naming the flag and the value', () => {
    assertUsage(() => containerRequestFrom({ network: 'container:abc' }, CWD), /^--network container:abc:/);
    assertUsage(() => containerRequestFrom({ network: '-bad' }, CWD), /^--network -bad:/);
  });

  it('rejects other invalid values with a usage error', () => {
    assertUsage(() => containerRequestFrom({ hostname: 'not_a_host' }, CWD), /^--hostname not_a_host:/);
    assertUsage(() => containerRequestFrom({ cpusetCpus: 'all' }, CWD), /^--cpuset-cpus all:/);
    assertUsage(() => containerRequestFrom({ gpus: '0' }, CWD), /^--gpus 0:/);
    assertUsage(() => containerRequestFrom({ cpus: 0 }, CWD), /^--cpus 0:/);
    assertUsage(() => containerRequestFrom({ pidsLimit: 1.5 }, CWD), /^--pids-limit 1\.5:/);
    assertUsage(() => containerRequestFrom({ tmpfs: ['relative'] }, CWD), /^--tmpfs:/);
    assertUsage(() => containerRequestFrom({ tmpfs: ['/x:size=64m;rm'] }, CWD), /^--tmpfs:/);
    assertUsage(() => containerRequestFrom({ volume: ['/a:relative'] }, CWD), /^--volume:/);
    assertUsage(() => containerRequestFrom({ publish: ['0'] }, CWD), /^--publish:/);
    assertUsage(() => containerRequestFrom({ publish: ['80:70000'] }, CWD), /^--publish:/);
  });

  it('passes on the size and format errors of the individual flags', () => {
    assertUsage(() => containerRequestFrom({ memory: 'lots' }, CWD), /^--memory 'lots'/);
    assertUsage(() => containerRequestFrom({ shmSize: 'lots' }, CWD), /^--shm-size 'lots'/);
    assertUsage(() => containerRequestFrom({ volume: ['nope'] }, CWD), /^--volume 'nope'/);
    assertUsage(() => containerRequestFrom({ publish: ['x'] }, CWD), /^--publish 'x'/);
  });
});

describe('environmentFrom', () => {
  let dir: string;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'baleen-env-file-'));
    await writeFile(
      path.join(dir, 'ci.env'),
      ['# a comment', '', 'A=1', '   ', '  # indented comment', 'B=from-file', 'URL=http://x/?a=b', 'EMPTY=', ''].join(
        '\n',
      ),
    );
    await writeFile(path.join(dir, 'crlf.env'), 'C=3\r\nD=4\r\n');
    await writeFile(path.join(dir, 'override.env'), 'A=2\n');
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('is empty with no files and no flags', async () => {
    assert.deepEqual(await environmentFrom([], [], dir), {});
  });

  it('reads KEY=VALUE lines, skipping comments and blank lines', async () => {
    assert.deepEqual(await environmentFrom(['ci.env'], [], dir), {
      A: '1',
      B: 'from-file',
      URL: 'http://x/?a=b',
      EMPTY: '',
    });
  });

  it('reads CRLF line endings', async () => {
    assert.deepEqual(await environmentFrom(['crlf.env'], [], dir), { C: '3', D: '4' });
  });

  it('lets a later file win over an earlier one, and --env win over both', async () => {
    assert.equal((await environmentFrom(['ci.env', 'override.env'], [], dir)).A, '2');
    const env = await environmentFrom(['ci.env', 'override.env'], ['A=flag', 'B=flag', 'NEW=x'], dir);
    assert.equal(env.A, 'flag');
    assert.equal(env.B, 'flag');
    assert.equal(env.NEW, 'x');
    assert.equal(env.URL, 'http://x/?a=b');
  });

  it('resolves a relative file against cwd, and takes an absolute one as is', async () => {
    assert.equal((await environmentFrom([path.join(dir, 'crlf.env')], [], '/')).C, '3');
    const sub = path.join(dir, 'sub');
    assert.equal((await environmentFrom(['../crlf.env'], [], sub)).D, '4');
  });

  it('refuses a missing file with a usage error naming it', async () => {
    await assert.rejects(environmentFrom(['missing.env'], [], dir), (error: unknown) => {
      assert.ok(error instanceof BaleenError);
      assert.equal(error.code, 'USAGE');
      assert.match(error.message, /^--env-file missing\.env: cannot read it \(ENOENT\)/);
      return true;
    });
  });

  it('refuses an invalid variable name in a file', async () => {
    const bad = path.join(dir, 'bad.env');
    await writeFile(bad, '1A=x\n');
    await assert.rejects(environmentFrom([bad], [], dir), { code: 'USAGE', message: /not a valid variable name/ });
  });
});
