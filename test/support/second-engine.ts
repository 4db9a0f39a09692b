import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, open, rm } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';

const exec = promisify(execFile);

/**
 * A second, real Docker engine on this machine, as a separate swarm node would be: its own network namespace
 * (reached over a veth pair), its own hostname (a UTS namespace), data root, exec root, socket, containerd and
 * cgroup parent. Only the kernel and the filesystem are shared with the first engine.
 */
export interface SecondEngine {
  /** The hostname the engine reports, and so the swarm node's name. */
  readonly hostname: string;
  /** `-H` value for the docker CLI. */
  readonly host: string;
  /** The address of the first engine's side of the veth pair (the manager's advertise address). */
  readonly managerAddress: string;
  readonly address: string;
  docker(args: string[]): Promise<string>;
  stop(): Promise<void>;
}

const NETNS = 'baleen-node2';
const HOST_IF = 'bln2-host';
const NODE_IF = 'bln2-node';
const MANAGER_ADDRESS = '10.199.0.1';
const NODE_ADDRESS = '10.199.0.2';
const ROOT = '/var/lib/baleen-node2';

async function run(command: string, args: string[]): Promise<string> {
  const { stdout } = await exec(command, args, { maxBuffer: 16 * 1024 * 1024 });
  return stdout.trim();
}

async function quietly(command: string, args: string[]): Promise<void> {
  await exec(command, args).catch(() => undefined);
}

/** What an earlier, interrupted test left: the namespace, the veth pair and the engine's folders. */
async function removeLeftovers(): Promise<void> {
  await quietly('pkill', ['-f', `--exec-root ${ROOT}/exec`]);
  await quietly('ip', ['netns', 'del', NETNS]);
  await quietly('ip', ['link', 'del', HOST_IF]);
  await quietly('sh', ['-c', `grep -o ' ${ROOT}/[^ ]*' /proc/mounts | xargs -r -n1 umount -l`]);
  await rm(ROOT, { recursive: true, force: true });
}

export async function startSecondEngine(hostname = 'baleen-node2'): Promise<SecondEngine> {
  await removeLeftovers();
  await run('ip', ['netns', 'add', NETNS]);
  await run('ip', ['link', 'add', HOST_IF, 'type', 'veth', 'peer', 'name', NODE_IF]);
  await run('ip', ['link', 'set', NODE_IF, 'netns', NETNS]);
  await run('ip', ['addr', 'add', `${MANAGER_ADDRESS}/24`, 'dev', HOST_IF]);
  await run('ip', ['link', 'set', HOST_IF, 'up']);
  const inNetns = ['netns', 'exec', NETNS, 'ip'];
  await run('ip', [...inNetns, 'addr', 'add', `${NODE_ADDRESS}/24`, 'dev', NODE_IF]);
  await run('ip', [...inNetns, 'link', 'set', NODE_IF, 'up']);
  await run('ip', [...inNetns, 'link', 'set', 'lo', 'up']);

  await mkdir(`${ROOT}/data`, { recursive: true });
  await mkdir(`${ROOT}/exec`, { recursive: true });
  const socket = `${ROOT}/docker.sock`;
  const host = `unix://${socket}`;
  const logFile = await open(`${ROOT}/dockerd.log`, 'a');
  // nsenter --net changes only the network namespace (`ip netns exec` would also remount /sys, hiding the
  // cgroup mounts dockerd needs); unshare --uts gives the engine a hostname of its own.
  const dockerd: ChildProcess = spawn(
    'nsenter',
    [
      `--net=/run/netns/${NETNS}`,
      'unshare',
      '--uts',
      'sh',
      '-c',
      'hostname "$0" && exec dockerd "$@"',
      hostname,
      ...['--data-root', `${ROOT}/data`, '--exec-root', `${ROOT}/exec`, '--pidfile', `${ROOT}/dockerd.pid`],
      ...['--host', host, '--cgroup-parent', 'baleen-node2'],
    ],
    { stdio: ['ignore', logFile.fd, logFile.fd], detached: true },
  );
  const exited = once(dockerd, 'exit');
  const docker = (args: string[]): Promise<string> => run('docker', ['--host', host, ...args]);

  const deadline = Date.now() + 60_000;
  for (;;) {
    if (dockerd.exitCode !== null) {
      throw new Error(`the second dockerd exited (${dockerd.exitCode}); see ${ROOT}/dockerd.log`);
    }
    if (await docker(['info', '--format', '{{.Name}}']).catch(() => undefined)) break;
    if (Date.now() > deadline) throw new Error(`the second dockerd did not answer in 60 s; see ${ROOT}/dockerd.log`);
    await sleep(250);
  }

  return {
    hostname,
    host,
    managerAddress: MANAGER_ADDRESS,
    address: NODE_ADDRESS,
    docker,
    async stop() {
      await docker(['swarm', 'leave', '--force']).catch(() => undefined);
      if (dockerd.exitCode === null) {
        dockerd.kill('SIGTERM');
        await Promise.race([exited, sleep(30_000)]);
      }
      await logFile.close();
      await removeLeftovers();
    },
  };
}

/** `docker save IMAGE | docker --host OTHER load`, without a shell. */
export async function copyImage(image: string, toHost: string): Promise<void> {
  const save = spawn('docker', ['save', image], { stdio: ['ignore', 'pipe', 'inherit'] });
  const load = spawn('docker', ['--host', toHost, 'load', '--quiet'], { stdio: ['pipe', 'ignore', 'inherit'] });
  save.stdout.pipe(load.stdin);
  const [[saveCode], [loadCode]] = (await Promise.all([once(save, 'exit'), once(load, 'exit')])) as [
    [number | null],
    [number | null],
  ];
  if (saveCode !== 0 || loadCode !== 0) throw new Error(`copying ${image}: save exited ${saveCode}, load ${loadCode}`);
}
