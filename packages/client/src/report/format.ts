import type { FileStatus } from '@baleen/protocol';
import type { Colors } from './colors.js';

/** 0.4s, 12.3s, 2m 05s */
export function formatDuration(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return `${minutes}m ${String(seconds).padStart(2, '0')}s`;
}

export type ShownStatus = FileStatus | 'not run';

const SYMBOLS: Record<ShownStatus, string> = {
  passed: '✔',
  failed: '✖',
  'timed-out': '⏱',
  cancelled: '⊘',
  error: '!',
  'not run': '·',
};

export function paintStatus(status: ShownStatus, colors: Colors, text: string = status): string {
  switch (status) {
    case 'passed':
      return colors.green(text);
    case 'failed':
      return colors.red(text);
    case 'timed-out':
      return colors.yellow(text);
    case 'error':
      return colors.magenta(text);
    case 'cancelled':
    case 'not run':
      return colors.gray(text);
  }
}

export function statusBadge(status: ShownStatus, colors: Colors): string {
  return paintStatus(status, colors, `${SYMBOLS[status]} ${status}`);
}
