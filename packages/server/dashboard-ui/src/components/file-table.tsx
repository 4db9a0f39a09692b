import { memo } from 'preact/compat';
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { FileView } from '../../../src/dashboard/dashboard-api.js';
import { DurationCell } from './duration-cell.js';
import { Status } from './status.js';

type Filter = 'all' | 'not-passed' | 'active';

const FILTERS: { value: Filter; label: string }[] = [
  { value: 'all', label: 'all files' },
  { value: 'not-passed', label: 'did not pass' },
  { value: 'active', label: 'running, starting or queued' },
];

function shown(file: FileView, filter: Filter): boolean {
  if (filter === 'all') return true;
  if (filter === 'active') return file.state === 'running' || file.state === 'starting' || file.state === 'queued';
  return file.state !== 'passed' && file.state !== 'running' && file.state !== 'starting' && file.state !== 'queued';
}

/** Every row is this tall (one line, cut with an ellipsis), so a row's place follows from its index. */
const ROW_HEIGHT = 30;
/** Rows rendered beyond the window's edges, above and below. */
const OVERSCAN = 20;

/**
 * Every file of the run, one row each, in the page's own scroll. Only the rows near the window are in the DOM (a
 * 2,000-file run renders about a hundred), with spacers for the rest, and rows are memoised on their file object
 * (the page replaces only the files that changed), so a live event re-renders only what it touched. The arrow keys
 * move between files' links, bringing rows into the DOM as they go.
 */
export function FileTable({ runId, files, selected }: { runId: string; files: FileView[]; selected: number | null }) {
  const [filter, setFilter] = useState<Filter>('all');
  const rows = useMemo(() => files.filter((file) => shown(file, filter)), [files, filter]);
  const body = useRef<HTMLTableSectionElement>(null);
  const [visible, setWindow] = useState({ start: 0, end: 80 });
  const focusNext = useRef<number | undefined>(undefined);

  useEffect(() => {
    const update = (): void => {
      const element = body.current;
      if (element === null) return;
      const top = element.getBoundingClientRect().top;
      const start = Math.max(0, Math.floor(-top / ROW_HEIGHT) - OVERSCAN);
      const end = start + Math.ceil(window.innerHeight / ROW_HEIGHT) + 2 * OVERSCAN;
      setWindow((current) => (current.start === start && current.end === end ? current : { start, end }));
    };
    update();
    window.addEventListener('scroll', update, { passive: true });
    window.addEventListener('resize', update);
    return () => {
      window.removeEventListener('scroll', update);
      window.removeEventListener('resize', update);
    };
  }, [rows.length]);

  useLayoutEffect(() => {
    const position = focusNext.current;
    if (position === undefined) return;
    const link = body.current?.querySelector<HTMLAnchorElement>(`tr[data-position="${position}"] a`);
    if (link !== null && link !== undefined) {
      focusNext.current = undefined;
      link.focus();
    }
  });

  const onKeyDown = (event: KeyboardEvent): void => {
    if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
    const row = (event.target as Element).closest('tr');
    const position = Number(row?.getAttribute('data-position'));
    if (!Number.isInteger(position)) return;
    const next = Math.min(rows.length - 1, Math.max(0, position + (event.key === 'ArrowDown' ? 1 : -1)));
    event.preventDefault();
    focusNext.current = next;
    const element = body.current;
    if (element !== null) {
      // Keep the row in view; the scroll brings it into the rendered window, and the effect above focuses it.
      const rowTop = element.getBoundingClientRect().top + next * ROW_HEIGHT;
      if (rowTop < 60) window.scrollBy(0, rowTop - 60);
      else if (rowTop + ROW_HEIGHT > window.innerHeight) window.scrollBy(0, rowTop + ROW_HEIGHT - window.innerHeight);
    }
    const link = element?.querySelector<HTMLAnchorElement>(`tr[data-position="${next}"] a`);
    if (link !== null && link !== undefined) {
      focusNext.current = undefined;
      link.focus();
    }
  };

  const start = Math.min(visible.start, Math.max(0, rows.length - 1));
  const end = Math.min(rows.length, visible.end);
  return (
    <div class="file-table">
      <label>
        Show{' '}
        <select value={filter} onChange={(event) => setFilter((event.target as HTMLSelectElement).value as Filter)}>
          {FILTERS.map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </select>
      </label>{' '}
      <span class="muted">
        {rows.length} of {files.length}
      </span>
      <table class="table" aria-label="files" aria-rowcount={rows.length + 1}>
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">File</th>
            <th scope="col">Status</th>
            <th scope="col">Attempt</th>
            <th scope="col">Container</th>
            <th scope="col">Node</th>
            <th scope="col">Duration</th>
            <th scope="col">Scenarios</th>
          </tr>
        </thead>
        <tbody ref={body} onKeyDown={onKeyDown}>
          {start > 0 && <tr aria-hidden="true" class="spacer" style={{ height: `${start * ROW_HEIGHT}px` }} />}
          {rows.slice(start, end).map((file, offset) => (
            <FileRow
              key={file.index}
              runId={runId}
              file={file}
              position={start + offset}
              selected={file.index === selected}
            />
          ))}
          {end < rows.length && (
            <tr aria-hidden="true" class="spacer" style={{ height: `${(rows.length - end) * ROW_HEIGHT}px` }} />
          )}
        </tbody>
      </table>
    </div>
  );
}

const FileRow = memo(function FileRow({
  runId,
  file,
  position,
  selected,
}: {
  runId: string;
  file: FileView;
  position: number;
  selected: boolean;
}) {
  const elapsed = file.durationMs ?? (file.startedAt === null ? null : Math.max(0, Date.now() - file.startedAt));
  const counts = file.scenarios;
  return (
    <tr
      class={selected ? 'file-row selected' : 'file-row'}
      data-state={file.state}
      data-position={position}
      aria-rowindex={position + 2}
    >
      <td>{file.index + 1}</td>
      <td class="file-name">
        <a href={`/runs/${encodeURIComponent(runId)}/files/${file.index}`} aria-current={selected ? 'page' : undefined}>
          {file.file}
        </a>
      </td>
      <td>
        <Status state={file.state} />
      </td>
      <td>{file.attempt}</td>
      <td class="mono">{file.containerId === null ? '—' : file.containerId.slice(0, 12)}</td>
      <td>{file.node ?? '—'}</td>
      <DurationCell ms={elapsed} soFar={file.durationMs === null && elapsed !== null} />
      <td>{counts === null ? '—' : `${counts.passed} passed, ${counts.failed} failed`}</td>
    </tr>
  );
});
