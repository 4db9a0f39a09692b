import { existsSync } from 'node:fs';
import type { LastFailedAnswerMessage, LastFailedQueryMessage } from '@baleen/protocol';
import { lastFailedAnswer } from '../server/last-failed-answer.js';
import { HistoryStore } from './history-store.js';

/**
 * `--last-failed` with an embedded server: the project's own history file, read directly (no engine, no server
 * needed to ask). A project with no history yet has no last run; the file is not created by asking.
 */
export function lastFailedOfFile(file: string, query: LastFailedQueryMessage): LastFailedAnswerMessage {
  if (file !== ':memory:' && !existsSync(file)) return lastFailedAnswer(query, () => undefined);
  const store = HistoryStore.open(file);
  try {
    return lastFailedAnswer(query, (suite) => store.lastRun(suite));
  } finally {
    store.close();
  }
}
