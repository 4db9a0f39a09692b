import type { FileFinishedMessage, StatusCounts } from '@baleen/protocol';
import type { UnitFileResult } from './run-unit.js';

/** Which chunk's status a split file takes: the first of these any chunk has. */
const PRECEDENCE: readonly FileFinishedMessage['status'][] = [
  'error',
  'timed-out',
  'oom',
  'failed',
  'cancelled',
  'passed',
];

/**
 * One file's result from the results of its chunks (a file split over several containers): the worst status,
 * summed counts, every chunk's output one after the other, and the file's time from its first chunk's start to
 * its last one's end.
 */
export function mergeChunks(parts: readonly UnitFileResult[]): FileFinishedMessage {
  const ordered = [...parts].sort((a, b) => (a.chunk?.part ?? 0) - (b.chunk?.part ?? 0));
  const first = ordered[0];
  if (first === undefined) throw new Error('a split file has no chunk results');
  const results = ordered.map((part) => part.result);
  const status = PRECEDENCE.find((candidate) => results.some((result) => result.status === candidate)) ?? 'error';
  const worst = ordered.find((part) => part.result.status === status);
  const label = (part: UnitFileResult): string => `chunk ${part.chunk?.part ?? 1}/${part.chunk?.parts ?? 1}`;
  const joined = (pick: (result: FileFinishedMessage) => string): string =>
    ordered
      .filter((part) => pick(part.result) !== '')
      .map(
        (part) =>
          `[baleen: ${label(part)}, container ${(part.result.containerId ?? 'none').slice(0, 12)}]\n${pick(part.result)}`,
      )
      .join('\n');
  const sum = (pick: (result: FileFinishedMessage) => StatusCounts | undefined): StatusCounts | undefined => {
    const present = results.map(pick).filter((counts): counts is StatusCounts => counts !== undefined);
    if (present.length === 0) return undefined;
    const total = { ...present[0] } as StatusCounts;
    for (const counts of present.slice(1)) {
      for (const key of Object.keys(total) as (keyof StatusCounts)[]) total[key] += counts[key];
    }
    return total;
  };
  const missing = results.flatMap((result) => result.missing ?? []);
  const scenarios = sum((result) => result.scenarios);
  const steps = sum((result) => result.steps);
  const startups = results.flatMap((result) => (result.startupMs === undefined ? [] : [result.startupMs]));
  const runs = results.flatMap((result) => (result.runMs === undefined ? [] : [result.runMs]));
  const exitCode =
    results.find((result) => result.exitCode !== 0 && result.exitCode !== null)?.exitCode ?? first.result.exitCode;
  // The first chunk's identity (file, attempt, container); its own error, missing list and kept flag are not the file's.
  const base = { ...first.result };
  delete base.error;
  delete base.missing;
  delete base.kept;
  return {
    ...base,
    status,
    exitCode,
    durationMs: Math.round(
      Math.max(...ordered.map((part) => part.endedAt)) - Math.min(...ordered.map((part) => part.startedAt)),
    ),
    stdout: joined((result) => result.stdout),
    stderr: joined((result) => result.stderr),
    stdoutTruncated: results.some((result) => result.stdoutTruncated),
    stderrTruncated: results.some((result) => result.stderrTruncated),
    ...(worst?.result.error === undefined
      ? {}
      : { error: { ...worst.result.error, message: `${label(worst)}: ${worst.result.error.message}` } }),
    ...(scenarios === undefined ? {} : { scenarios }),
    ...(steps === undefined ? {} : { steps }),
    ...(missing.length === 0 ? {} : { missing }),
    ...(startups.length === 0 ? {} : { startupMs: Math.max(...startups) }),
    ...(runs.length === 0 ? {} : { runMs: runs.reduce((total, ms) => total + ms, 0) }),
    attempt: Math.max(...results.map((result) => result.attempt)),
    chunks: ordered.length,
    ...(results.some((result) => result.kept === true) ? { kept: true } : {}),
  };
}
