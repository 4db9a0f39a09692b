/** Why a history database could not be opened; stable, for callers that act on it. */
export type HistoryUnavailableReason =
  'corrupt' | 'read-only' | 'disk-full' | 'locked' | 'newer-schema' | 'cannot-open' | 'failed';

/** The history database at `file` cannot be used; the message names the file and what to do. */
export class HistoryUnavailableError extends Error {
  readonly reason: HistoryUnavailableReason;
  readonly file: string;

  constructor(reason: HistoryUnavailableReason, file: string, detail: string, options?: { cause?: unknown }) {
    super(`cannot use the history database ${file}: ${detail}`, options);
    this.name = 'HistoryUnavailableError';
    this.reason = reason;
    this.file = file;
  }
}

/**
 * Turns what SQLite or the file system threw into an error that says what to do; `lost` says what did not happen
 * ("12 records not written").
 */
export function explainFailure(file: string, error: unknown, lost?: string): HistoryUnavailableError {
  if (error instanceof HistoryUnavailableError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  const said = `${lost === undefined ? '' : `${lost}: `}${error instanceof Error ? error.message : String(error)}`;
  const because = (reason: HistoryUnavailableReason, advice: string): HistoryUnavailableError =>
    new HistoryUnavailableError(reason, file, `${said} — ${advice}`, { cause: error });
  if (typeof code !== 'string') return new HistoryUnavailableError('failed', file, said, { cause: error });
  if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) {
    return because('corrupt', 'it is not a SQLite database or it is damaged: move it away (a new one is made)');
  }
  if (code.startsWith('SQLITE_READONLY') || code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    return because('read-only', 'give this process write access to the file and its folder, or choose another place');
  }
  if (code === 'SQLITE_FULL' || code === 'ENOSPC') return because('disk-full', 'the disk is full: free some space');
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return because('locked', 'another process holds it locked: try again, or stop that process');
  }
  // SQLITE_CANTOPEN, ENOTDIR...: the path is a folder, or the folder does not let SQLite add its -wal and -shm files.
  return because(
    'cannot-open',
    'check that the path names a file, and that this process can write to it and to its folder (SQLite keeps -wal and -shm files beside it)',
  );
}
