/** The client's exit codes; documented in --help and the README. CI relies on them, so they never lie. */
export const EXIT = {
  /** Every file passed. */
  passed: 0,
  /** A file failed or timed out. */
  failed: 1,
  /** Usage or infrastructure error: bad option, no files found, server or Docker unreachable, image missing,
   * or a file that could not be run at all. */
  error: 2,
  /** Cancelled with Ctrl-C (128 + SIGINT). */
  interrupted: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
