import { formatDuration } from '../format.js';

export interface TrendPoint {
  label: string;
  durationMs: number;
  passed: boolean;
  href?: string;
}

/**
 * Durations over runs, oldest on the left, as bars: a failed run's bar is hatched as well as coloured, and the
 * figures are in the table beside it, so nothing depends on colour alone.
 */
export function TrendChart({ points, title }: { points: TrendPoint[]; title: string }) {
  if (points.length === 0) return <p class="muted">No runs to show yet.</p>;
  const max = Math.max(...points.map((point) => point.durationMs), 1);
  const width = 24;
  const height = 80;
  return (
    <figure class="trend">
      <svg
        role="img"
        aria-label={`${title}: ${points.map((point) => formatDuration(point.durationMs)).join(', ')}`}
        viewBox={`0 0 ${points.length * width} ${height + 2}`}
        width={points.length * width}
        height={height + 2}
      >
        <defs>
          <pattern id="hatch" width="4" height="4" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
            <line x1="0" y1="0" x2="0" y2="4" class="hatch-line" />
          </pattern>
        </defs>
        {points.map((point, index) => {
          const barHeight = Math.max(2, (point.durationMs / max) * height);
          return (
            <g key={index}>
              <title>{`${point.label}: ${formatDuration(point.durationMs)}${point.passed ? '' : ' (did not pass)'}`}</title>
              <rect
                x={index * width + 3}
                y={height - barHeight + 1}
                width={width - 6}
                height={barHeight}
                class={point.passed ? 'bar bar-passed' : 'bar bar-failed'}
              />
              {!point.passed && (
                <rect
                  x={index * width + 3}
                  y={height - barHeight + 1}
                  width={width - 6}
                  height={barHeight}
                  fill="url(#hatch)"
                />
              )}
            </g>
          );
        })}
      </svg>
      <figcaption>
        {title} — oldest left, newest right; longest {formatDuration(max)}
      </figcaption>
    </figure>
  );
}
