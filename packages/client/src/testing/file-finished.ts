import type { FileFinishedMessage } from '@baleen/protocol';

/** A `file-finished` message for report tests: a passed file of run-1, changed by `fields`. */
export function fileFinished(fileIndex: number, fields: Partial<FileFinishedMessage> = {}): FileFinishedMessage {
  return {
    type: 'file-finished',
    runId: 'run-1',
    fileIndex,
    file: `features/f${fileIndex}.feature`,
    attempt: 1,
    status: 'passed',
    exitCode: 0,
    durationMs: 1_000,
    containerId: 'c',
    stdout: '',
    stderr: '',
    stdoutTruncated: false,
    stderrTruncated: false,
    ...fields,
  };
}
