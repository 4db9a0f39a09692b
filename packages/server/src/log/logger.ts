import { pino, type Logger } from 'pino';
import pretty from 'pino-pretty';

export type { Logger } from 'pino';

/** How logs are written: JSON lines (for a log collector) or readable lines (for a person at a terminal). */
export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/**
 * Logs on stderr, so stdout stays free for a CLI's own output: readable lines with local times on a terminal,
 * JSON lines otherwise (BALEEN_LOG_FORMAT or `format` chooses). The embedded server in the client is silent
 * unless BALEEN_LOG_LEVEL asks otherwise.
 */
export function createLogger(defaultLevel: string, env: NodeJS.ProcessEnv = process.env, format?: LogFormat): Logger {
  const level = env['BALEEN_LOG_LEVEL'] ?? defaultLevel;
  const chosen =
    format ??
    (env['BALEEN_LOG_FORMAT'] === 'json' || env['BALEEN_LOG_FORMAT'] === 'pretty'
      ? env['BALEEN_LOG_FORMAT']
      : undefined);
  const readable = chosen === undefined ? process.stderr.isTTY : chosen === 'pretty';
  if (readable) {
    return pino(
      { name: 'baleen-server', level },
      pretty({
        destination: 2,
        sync: true,
        translateTime: 'SYS:HH:MM:ss.l',
        ignore: 'pid,hostname',
        colorize: process.stderr.isTTY,
      }),
    );
  }
  return pino({ name: 'baleen-server', level }, pino.destination({ dest: 2, sync: true }));
}

export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
