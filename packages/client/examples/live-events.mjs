/* eslint-disable no-console -- an example script prints its results */
// Runs two feature files of Baleen's fixtures from a Node script, printing each file as it finishes.
// Usage (from fixtures/cucumber, after `npm run build`): node ../../packages/client/examples/live-events.mjs
import { startTests } from '@baleen/client';

const run = startTests({
  image: process.env.BALEEN_FIXTURES_IMAGE ?? 'baleen-fixtures:latest',
  files: ['features/cart.feature', 'edge/failing.feature'],
  command: ['node_modules/.bin/cucumber-js'],
  timeoutSeconds: 120,
  concurrency: 2,
  env: {},
  container: { memoryBytes: 512 * 1024 * 1024 },
});

for await (const event of run) {
  if (event.type === 'file-finished') {
    console.log(`${event.message.status} ${event.message.file} (exit ${event.message.exitCode})`);
  }
}

const result = await run.result;
const { passed, failed } = result.finished.totals;
console.log(`done: ${passed} passed, ${failed} failed`);
process.exitCode = failed > 0 ? 1 : 0;
