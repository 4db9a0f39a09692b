// The original baleen's scheduling, for case 3: files in fixed batches of CONCURRENCY containers, each batch
// waiting for its slowest file before the next starts (kimh/baleen ran `docker run` per file this way).
//   node bench/alternatives/fixed-batches.mjs IMAGE CONCURRENCY FILE...
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const exec = promisify(execFile);
const [image, concurrency, ...files] = process.argv.slice(2);
const size = Number(concurrency);
let failed = 0;
for (let i = 0; i < files.length; i += size) {
  const batch = files.slice(i, i + size);
  const results = await Promise.allSettled(
    batch.map((file) =>
      exec('docker', ['run', '--rm', '--network', 'none', image, 'node_modules/.bin/cucumber-js', file]),
    ),
  );
  failed += results.filter((result) => result.status === 'rejected').length;
}
process.exitCode = failed === 0 ? 0 : 1;
