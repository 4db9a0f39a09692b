import type {
  FileFinishedMessage,
  FileStartedMessage,
  ScenarioFinishedMessage,
  StageFinishedMessage,
  StageStartedMessage,
} from '@baleen/protocol';
import { createLogUpdate } from 'log-update';
import type { RunEvent } from '../run/run-on-server.js';
import type { Colors } from './colors.js';
import { formatDuration, paintStatus, shownExitCode, shownStatus, statusBadge } from './format.js';

/** How often the terminal view redraws its running files' clocks. */
export const REDRAW_INTERVAL_MS = 200;

/** In a log (CI), how often a run that is quiet says what is still running. */
export const STILL_RUNNING_EVERY_MS = 60_000;

export interface LiveView {
  onEvent(event: RunEvent): void;
  /** Prints a line above the live region. */
  note(line: string): void;
  stop(): void;
}

function finishedLine(message: FileFinishedMessage, colors: Colors): string {
  const code = shownExitCode(message);
  const exit = code === undefined ? '' : colors.dim(` exit ${code}`);
  const why = message.error === undefined ? '' : colors.dim(` — ${message.error.message}`);
  const attempt = message.attempt > 1 ? colors.dim(` (attempt ${message.attempt})`) : '';
  const badge =
    message.willRetry === true
      ? paintStatus('flaky', colors, `↻ ${message.status}, retrying`)
      : statusBadge(shownStatus(message), colors);
  const kept =
    message.kept === true && message.containerId !== null
      ? colors.yellow(
          ` · container ${message.containerId.slice(0, 12)} kept (--keep): docker rm -f ${message.containerId.slice(0, 12)}`,
        )
      : '';
  return `${badge} ${message.file} ${colors.dim(formatDuration(message.durationMs))}${exit}${attempt}${why}${kept}`;
}

/** `▶ started FILE container ID · port 8080/tcp -> 0.0.0.0:32768` */
function startedLine(message: FileStartedMessage, colors: Colors): string {
  const ports = (message.ports ?? []).map(
    (port) => `port ${port.containerPort}/${port.protocol} -> ${port.hostIp || '0.0.0.0'}:${port.hostPort}`,
  );
  const node = message.node === undefined ? [] : [`node ${message.node}`];
  const details = [`container ${message.containerId.slice(0, 12)}`, ...node, ...ports].join(' · ');
  return `${colors.cyan('▶ started')} ${message.file} ${colors.dim(details)}`;
}

function stageStartedLine(message: StageStartedMessage, colors: Colors): string {
  return `${colors.cyan(`▶ ${message.stage} stage`)} ${colors.dim(`container ${message.containerId.slice(0, 12)}`)}`;
}

function stageFinishedLine(message: StageFinishedMessage, colors: Colors): string {
  const exit = message.exitCode === null ? '' : colors.dim(` exit ${message.exitCode}`);
  const why = message.error === undefined ? '' : colors.dim(` — ${message.error.message}`);
  return `${statusBadge(message.status, colors)} ${message.stage} stage ${colors.dim(formatDuration(message.durationMs))}${exit}${why}`;
}

function queuedLine(position: number): string {
  return position === 0
    ? 'got a slot of the server’s capacity'
    : `queued for the server’s capacity at position ${position}`;
}

/** A scenario that did not pass, printed as it happens so a long run shows its failures early. */
function scenarioLine(message: ScenarioFinishedMessage, colors: Colors): string | undefined {
  if (message.status === 'passed' || message.status === 'skipped') return undefined;
  const where = message.line === null ? message.uri : `${message.uri}:${message.line}`;
  const error = message.errorMessage === undefined ? '' : colors.dim(` — ${message.errorMessage.split('\n')[0] ?? ''}`);
  return `  ${paintStatus(message.status, colors, `${message.status} scenario`)} ${message.name} ${colors.dim(where)}${error}`;
}

/**
 * Plain lines, one per start and finish: for logs, CI and pipes. A long file would leave the log silent for
 * minutes, so every `stillRunningEveryMs` with files running, one line says which is the longest running.
 */
export function plainLiveView(
  out: NodeJS.WritableStream,
  colors: Colors,
  options: { stillRunningEveryMs?: number; now?: () => number } = {},
): LiveView {
  const line = (text: string): void => void out.write(`${text}\n`);
  const now = options.now ?? Date.now;
  const running = new Map<number, { file: string; since: number }>();
  const timer =
    options.stillRunningEveryMs === undefined
      ? undefined
      : setInterval(() => {
          const longest = [...running.values()].sort((a, b) => a.since - b.since)[0];
          if (longest === undefined) return;
          line(
            colors.dim(
              `still running: ${running.size} file${running.size === 1 ? '' : 's'} ` +
                `(longest: ${longest.file}, ${formatDuration(now() - longest.since)})`,
            ),
          );
        }, options.stillRunningEveryMs);
  timer?.unref();
  return {
    onEvent(event) {
      if (event.type === 'file-started')
        running.set(event.message.fileIndex, { file: event.message.file, since: now() });
      if (event.type === 'file-finished') running.delete(event.message.fileIndex);
      switch (event.type) {
        case 'welcome':
        case 'run-accepted':
        case 'run-planned':
        case 'workspace-synced':
          return;
        case 'run-queued':
          line(colors.dim(queuedLine(event.message.position)));
          return;
        case 'file-started':
          line(startedLine(event.message, colors));
          return;
        case 'stage-started':
          line(stageStartedLine(event.message, colors));
          return;
        case 'stage-finished':
          line(stageFinishedLine(event.message, colors));
          return;
        case 'scenario-finished': {
          const text = scenarioLine(event.message, colors);
          if (text !== undefined) line(text);
          return;
        }
        case 'file-finished':
          line(finishedLine(event.message, colors));
          return;
      }
    },
    note: line,
    stop() {
      clearInterval(timer);
    },
  };
}

/** On a terminal: finished files scroll up as lines; the running ones stay at the bottom with their clocks. */
export function terminalLiveView(out: NodeJS.WriteStream, colors: Colors, concurrency = Infinity): LiveView {
  const render = createLogUpdate(out, { showCursor: true });
  const running = new Map<number, FileStartedMessage & { since: number; scenarios: number }>();
  const began = Date.now();
  let total = 0;
  let done = 0;
  const draw = (): void => {
    const now = Date.now();
    const lines = [...running.values()].map(
      (file) =>
        `  ${colors.cyan('▶')} ${file.file} ${colors.dim(formatDuration(now - file.since))}` +
        (file.scenarios > 0 ? colors.dim(` · ${file.scenarios} scenario${file.scenarios === 1 ? '' : 's'} done`) : ''),
    );
    // Slots the run holds whose containers have not started yet: starting, not queued.
    const starting = Math.max(0, Math.min(concurrency, total - done) - running.size);
    const queued = Math.max(0, total - done - running.size - starting);
    lines.push(
      colors.bold(
        `  ${done}/${total} done · ${running.size} running · ${starting} starting · ${queued} queued · ${formatDuration(now - began)}`,
      ),
    );
    render(lines.join('\n'));
  };
  const timer = setInterval(draw, REDRAW_INTERVAL_MS);
  timer.unref();
  const above = (text: string): void => {
    render.clear();
    out.write(`${text}\n`);
    draw();
  };
  return {
    onEvent(event) {
      switch (event.type) {
        case 'welcome':
        case 'run-planned':
        case 'workspace-synced':
          return;
        case 'run-queued':
          above(colors.dim(queuedLine(event.message.position)));
          return;
        case 'run-accepted':
          total = event.message.fileCount;
          draw();
          return;
        case 'file-started':
          running.set(event.message.fileIndex, { ...event.message, since: Date.now(), scenarios: 0 });
          if ((event.message.ports ?? []).length > 0) above(startedLine(event.message, colors));
          else draw();
          return;
        case 'stage-started':
          above(stageStartedLine(event.message, colors));
          return;
        case 'stage-finished':
          above(stageFinishedLine(event.message, colors));
          return;
        case 'scenario-finished': {
          const file = running.get(event.message.fileIndex);
          if (file !== undefined) file.scenarios += 1;
          const text = scenarioLine(event.message, colors);
          if (text !== undefined) above(text);
          return;
        }
        case 'file-finished':
          running.delete(event.message.fileIndex);
          if (event.message.willRetry !== true) done += 1;
          above(finishedLine(event.message, colors));
          return;
      }
    },
    note: above,
    stop() {
      clearInterval(timer);
      render.clear();
      render.done();
    },
  };
}
