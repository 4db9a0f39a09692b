import { pino, type Logger } from 'pino';

export type { Logger } from 'pino';

/**
 * Structured logs (JSON lines) on stderr, so stdout stays free for a CLI's own output. The embedded server
 * in the client is silent unless BALEEN_LOG_LEVEL asks otherwise.
 */
export function createLogger(defaultLevel: string, env: NodeJS.ProcessEnv = process.env): Logger {
  const level = env['BALEEN_LOG_LEVEL'] ?? defaultLevel;
  return pino({ name: 'baleen-server', level }, pino.destination({ dest: 2, sync: true }));
}

export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
