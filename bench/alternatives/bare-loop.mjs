// The engine's floor for case 1: create, start, wait, remove with dockerode at a fixed concurrency — what any
// orchestrator must do per container, and nothing else. Follows the traps in NOTES.md (wait after start with
// not-running; remove explicitly).
// Each container runs COMMAND (a JSON array) with the file appended.
//   node bench/alternatives/bare-loop.mjs IMAGE CONCURRENCY NETWORK COMMAND FILE...
import Docker from 'dockerode';
import pLimit from 'p-limit';

const [image, concurrency, network, command, ...files] = process.argv.slice(2);
const argv = JSON.parse(command);
const docker = new Docker();
const limit = pLimit(Number(concurrency));
const codes = await Promise.all(
  files.map((file) =>
    limit(async () => {
      const container = await docker.createContainer({
        Image: image,
        Cmd: [...argv, file],
        Labels: { 'baleen.bench': 'bare-loop' },
        HostConfig: { NetworkMode: network },
      });
      await container.start();
      const { StatusCode } = await container.wait({ condition: 'not-running' });
      await container.remove({ force: true });
      return StatusCode;
    }),
  ),
);
process.exitCode = codes.every((code) => code === 0) ? 0 : 1;
