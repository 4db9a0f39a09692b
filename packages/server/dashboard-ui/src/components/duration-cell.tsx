import { formatDuration } from '../format.js';

/**
 * A table cell holding a duration ("—" when there is none), the same in every table of the dashboard. `soFar` marks
 * one that is still growing: a file still running shows the time since it started.
 */
export function DurationCell({ ms, soFar = false }: { ms: number | null; soFar?: boolean }) {
  return (
    <td>
      {formatDuration(ms)}
      {soFar && ' so far'}
    </td>
  );
}
