import type { FileFinishedMessage } from '@baleen/protocol';

const READ_ONLY = /\bEROFS\b|read-only file system/i;

/**
 * --mount-workspace mounts the project read-only: a suite that writes into its own tree (a report file, a tmp/
 * folder) fails there with EROFS, which reads like the suite's fault. When a file that did not pass says so, name the
 * way out: --sync gives each container its own writable copy.
 */
export function readOnlyWorkspaceHint(
  mountedWorkspace: boolean,
  results: readonly (FileFinishedMessage | undefined)[],
): string | undefined {
  if (!mountedWorkspace) return undefined;
  const hit = results.find(
    (result) =>
      result !== undefined &&
      result.status !== 'passed' &&
      (READ_ONLY.test(result.stderr) || READ_ONLY.test(result.stdout)),
  );
  if (hit === undefined) return undefined;
  return (
    `${hit.file} tried to write into the project, which --mount-workspace mounts read-only (EROFS) — ` +
    'use --sync instead: each container gets its own writable copy of the project'
  );
}
