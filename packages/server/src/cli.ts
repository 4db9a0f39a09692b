import { DEFAULT_MAX_OUTPUT_BYTES } from '@baleen/protocol';
import { Command, InvalidArgumentError } from 'commander';
import { createLogger } from './log/logger.js';
import { startServer } from './server/baleen-server.js';
import { DEFAULT_HOST, DEFAULT_PORT, defaultCapacity } from './server/server-options.js';
import { SERVER_VERSION } from './server/version.js';

function positiveInt(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new InvalidArgumentError('expected a positive integer');
  return parsed;
}

function port(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0 || parsed > 65_535)
    throw new InvalidArgumentError('expected a port 0-65535');
  return parsed;
}

const program = new Command()
  .name('baleen-server')
  .description('Runs one Docker container per test file for Baleen clients, within a shared capacity.')
  .version(SERVER_VERSION)
  .option('--host <address>', 'address to listen on', DEFAULT_HOST)
  .option('--port <port>', 'port to listen on (0 picks a free one)', port, DEFAULT_PORT)
  .option('--capacity <n>', 'containers at once, across all runs', positiveInt, defaultCapacity())
  .option('--max-output-bytes <n>', 'output kept per stream per file', positiveInt, DEFAULT_MAX_OUTPUT_BYTES)
  .option('--log-level <level>', 'trace | debug | info | warn | error | silent (or BALEEN_LOG_LEVEL)', 'info')
  .addHelpText(
    'after',
    '\nExit codes: 0 stopped cleanly (SIGINT/SIGTERM), 2 could not start (port in use, bad option).\n' +
      'Signals: the first SIGINT/SIGTERM cancels runs, removes their containers and exits; a second exits at once.',
  );

program.parse();
const opts = program.opts<{ host: string; port: number; capacity: number; maxOutputBytes: number; logLevel: string }>();
const log = createLogger(opts.logLevel);

try {
  const server = await startServer({
    host: opts.host,
    port: opts.port,
    capacity: opts.capacity,
    maxOutputBytes: opts.maxOutputBytes,
    log,
  });
  // Machine-readable for scripts and tests that start a server on port 0.
  process.stdout.write(`baleen-server listening on ${server.url}\n`);
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      log.warn({ signal }, 'second signal: exiting at once');
      process.exit(130);
    }
    stopping = true;
    log.info({ signal }, 'stopping: cancelling runs and removing their containers');
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, 'error while stopping');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
} catch (error) {
  process.stderr.write(`baleen-server: could not start on ${opts.host}:${opts.port}: ${(error as Error).message}\n`);
  process.exit(2);
}
