/**
 * Labels on every container Baleen creates. They let a sweep find what a run or a server left behind, and let
 * a person see what a container is for (`docker ps --filter label=baleen.managed=true`).
 */
export const LABELS = {
  managed: 'baleen.managed',
  server: 'baleen.server',
  run: 'baleen.run',
  file: 'baleen.file',
  index: 'baleen.index',
  attempt: 'baleen.attempt',
  /** Set on what is not a test file's container: the prepare stage's container and its /job volume. */
  stage: 'baleen.stage',
  /** Set on what a `--keep` run leaves for its user: no sweep of orphans removes it. */
  kept: 'baleen.kept',
  /** Epoch seconds after which the reaper kills the container, whatever its server is doing (see reaper/). */
  deadline: 'baleen.deadline',
  /**
   * From BALEEN_SESSION, when set: who started this server, so that, say, a test suite can find and clean up what
   * it made and leave alone what a live server on the same engine runs.
   */
  session: 'baleen.session',
} as const;

/** The session label's value for what this process makes, if it has one. */
const SESSION = process.env['BALEEN_SESSION'];

/** The labels of everything a run creates: its sweep finds them, and so does a restarted server's. */
export function runLabels(serverId: string, runId: string, keep = false): Record<string, string> {
  return {
    [LABELS.managed]: 'true',
    [LABELS.server]: serverId,
    [LABELS.run]: runId,
    ...(keep ? { [LABELS.kept]: 'true' } : {}),
    ...(SESSION === undefined || SESSION === '' ? {} : { [LABELS.session]: SESSION }),
  };
}

export function fileContainerLabels(args: {
  serverId: string;
  runId: string;
  file: string;
  index: number;
  attempt: number;
  keep: boolean;
}): Record<string, string> {
  return {
    ...runLabels(args.serverId, args.runId, args.keep),
    [LABELS.file]: args.file,
    [LABELS.index]: String(args.index),
    [LABELS.attempt]: String(args.attempt),
  };
}

/** The server ids on these label sets, each once, leaving out what `--keep` runs left: that is its user's to remove. */
export function unkeptServerIds(labelSets: (Record<string, string> | null | undefined)[]): string[] {
  const ids = labelSets
    .filter((labels) => labels?.[LABELS.kept] !== 'true')
    .map((labels) => labels?.[LABELS.server])
    .filter((id): id is string => id !== undefined);
  return [...new Set(ids)];
}
