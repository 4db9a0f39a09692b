import type { RunPlannedMessage } from '@baleen/protocol';
import type { RunEvent } from '../run/run-on-server.js';
import { formatBytes } from '../sync/format-bytes.js';
import type { Colors } from './colors.js';
import { dashboardLink } from './dashboard-link.js';
import { wrapText } from './format.js';

/** What the banner says about the run before it starts. */
export interface RunBannerFacts {
  files: number;
  image: string;
  server?: string;
  concurrency: number;
  timeout: number;
  order: string;
  seed?: number;
  retries: number;
  failFast?: boolean;
  /** cucumber's own lines: the profile, the filters. */
  cucumberLines: readonly string[];
  /** The reporters, when they were chosen rather than the default list. */
  reporters?: { names: readonly string[]; source: string };
}

/** `baleen: 22 files · image runner · an embedded server · concurrency 4 · timeout 300s · timing order`, wrapped. */
export function runBanner(facts: RunBannerFacts, width: number | undefined): string[] {
  const where = facts.server ?? 'an embedded server';
  const order =
    facts.order === 'random' && facts.seed !== undefined
      ? `random order (--seed ${facts.seed})`
      : `${facts.order} order`;
  const first =
    `baleen: ${facts.files} file${facts.files === 1 ? '' : 's'} · image ${facts.image} · ${where} · ` +
    `concurrency ${facts.concurrency} · timeout ${facts.timeout}s · ${order}` +
    `${facts.retries > 0 ? ` · retries ${facts.retries}` : ''}${facts.failFast === true ? ' · fail-fast' : ''}`;
  const lines = [wrapText(first, width), ...facts.cucumberLines.map((line) => wrapText(`baleen: ${line}`, width))];
  if (facts.reporters !== undefined) {
    lines.push(`baleen: reporters ${facts.reporters.names.join(', ')} (${facts.reporters.source})`);
  }
  return lines;
}

/**
 * The lines a run says about itself as it goes, above the live view: accepted (and any cap on its concurrency),
 * its dashboard page, what the server planned, what --sync sent. Per-file events are the live view's.
 */
export function runNotes(event: RunEvent, asked: { server?: string; concurrency: number }, colors: Colors): string[] {
  switch (event.type) {
    case 'run-accepted': {
      const granted = event.message.concurrency;
      const capped =
        granted !== undefined && granted < asked.concurrency
          ? ` — the server runs at most ${granted} of its containers at once (asked ${asked.concurrency})`
          : '';
      const link = dashboardLink(asked.server, event.message.dashboard);
      return [
        colors.dim(`run ${event.message.runId} accepted${capped}`),
        ...(link === undefined ? [] : [`dashboard: ${link}`]),
      ];
    }
    case 'run-planned':
      return [colors.dim(plannedLine(event.message))];
    case 'workspace-synced': {
      const { files, bytes, sentFiles, sentBytes } = event.outcome;
      const sent =
        sentFiles === 0
          ? 'already on the server, sent only its hash'
          : sentFiles >= files
            ? `sent ${formatBytes(sentBytes)}`
            : `sent ${formatBytes(sentBytes)} (${sentFiles} file${sentFiles === 1 ? '' : 's'}), the rest was on the server`;
      return [colors.dim(`sync: ${files} files, ${formatBytes(bytes)} — ${sent}`)];
    }
    default:
      return [];
  }
}

/**
 * "order: longest first by the server's history, 22 of 22 files known · 3 packs (12 files share containers) ·
 * long.feature split in 3 · 13 containers" — what the server decided before the first container.
 */
export function plannedLine(planned: RunPlannedMessage): string {
  const { history } = planned;
  const from =
    history.source === 'none'
      ? 'no history yet'
      : `${history.source === 'server' ? "the server's" : "the project's"} history, ${history.known} of ${history.total} files known`;
  const parts: string[] = [planned.order === 'timing' ? `order: longest first by ${from}` : `order: ${planned.order}`];
  if (planned.packs > 0) {
    parts.push(
      `${planned.packs} pack${planned.packs === 1 ? '' : 's'} (${planned.packedFiles} files share containers)`,
    );
  }
  for (const split of planned.splits) parts.push(`${split.file} split in ${split.parts}`);
  parts.push(`${planned.containers} container${planned.containers === 1 ? '' : 's'}`);
  return parts.join(' · ');
}
