import { execFile } from 'node:child_process';
import { access, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// The real cucumber-js 12.9 project of the fixtures: message streams for tests are generated from it, so they
// never go stale (fixtures/cucumber/node_modules comes from `npm run setup`). Test support only; not built.
const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../fixtures/cucumber');
const cucumberJs = path.join(fixtures, 'node_modules/.bin/cucumber-js');

/** cucumber-js's message stream (NDJSON) for one feature file of the fixtures, whatever the run's exit status. */
export async function messagesOf(file: string): Promise<string> {
  await access(cucumberJs).catch(() => {
    throw new Error(`${cucumberJs} is missing: run \`npm run setup\` (it installs fixtures/cucumber's dependencies)`);
  });
  // A file rather than /dev/stderr: a child's stderr may be a socket, which cannot be opened by path.
  const dir = await mkdtemp(path.join(tmpdir(), 'baleen-cucumber-messages-'));
  try {
    const out = path.join(dir, 'messages.ndjson');
    await new Promise<void>((resolve, reject) => {
      // cucumber-js exits with 1 when a scenario fails: only a failure to run it at all is an error here.
      execFile(cucumberJs, ['--format', `message:${out}`, file], { cwd: fixtures }, (error) => {
        if (error !== null && typeof error.code !== 'number')
          reject(new Error(`cucumber-js did not run: ${error.message}`));
        else resolve();
      });
    });
    const ndjson = await readFile(out, 'utf8');
    if (!ndjson.includes('"testRunFinished"')) throw new Error(`no complete message stream for ${file}`);
    return ndjson;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
