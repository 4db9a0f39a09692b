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
} as const;

export function fileContainerLabels(args: {
  serverId: string;
  runId: string;
  file: string;
  index: number;
  attempt: number;
}): Record<string, string> {
  return {
    [LABELS.managed]: 'true',
    [LABELS.server]: args.serverId,
    [LABELS.run]: args.runId,
    [LABELS.file]: args.file,
    [LABELS.index]: String(args.index),
    [LABELS.attempt]: String(args.attempt),
  };
}
