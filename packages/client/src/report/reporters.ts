import { BaleenError } from '@baleen/protocol';

/**
 * What a run reports, as `--reporter list,github,junit` names it (Playwright's and vitest's style):
 * - `list`: the live lines on stdout as files start and finish (the summary is printed in any case);
 * - `github`: GitHub Actions annotations at each failed scenario, each non-passing file's output in a folded
 *   group, and a Markdown summary appended to `$GITHUB_STEP_SUMMARY`;
 * - `junit`, `json`, `html`, `messages`: the report file of that kind, at its flag's path or a default one.
 */
export const REPORTERS = ['list', 'github', 'junit', 'json', 'html', 'messages'] as const;
export type ReporterName = (typeof REPORTERS)[number];

/** Reports written only by `baleen cucumber` (they are cucumber's messages, formatted). */
export const CUCUMBER_REPORTERS: ReadonlySet<ReporterName> = new Set(['junit', 'html', 'messages']);

/** Where a file reporter writes when its flag gives no path. */
export const DEFAULT_REPORT_FILES = {
  junit: 'baleen-junit.xml',
  json: 'baleen-report.json',
  html: 'baleen-report.html',
  messages: 'baleen-messages.ndjson',
} as const;

/** `list,github` or `['list', 'github']` (a config file) as reporter names; an unknown one is a usage error. */
export function parseReporters(value: string | readonly string[], allowed: readonly ReporterName[]): ReporterName[] {
  const names = (typeof value === 'string' ? [value] : value)
    .flatMap((part) => part.split(','))
    .map((name) => name.trim())
    .filter((name) => name.length > 0);
  if (names.length === 0)
    throw new BaleenError('USAGE', `--reporter: no reporter named — choose from ${allowed.join(', ')}`);
  for (const name of names) {
    if (!(allowed as readonly string[]).includes(name)) {
      throw new BaleenError('USAGE', `--reporter ${name}: unknown reporter — choose from ${allowed.join(', ')}`);
    }
  }
  return [...new Set(names as ReporterName[])];
}

export interface ReporterChoice {
  reporters: ReadonlySet<ReporterName>;
  /** Why: `--reporter`, or the CI that was detected. */
  source: string;
}

/**
 * The reporters of a run: those `--reporter` names, else `list` plus what the CI it runs in reads — GitHub
 * Actions (`GITHUB_ACTIONS=true`) its annotations and step summary, GitLab (`GITLAB_CI=true`) a JUnit report for
 * the merge request's test widget.
 */
export function chooseReporters(
  given: readonly ReporterName[] | undefined,
  env: NodeJS.ProcessEnv,
  cucumber: boolean,
): ReporterChoice {
  if (given !== undefined) return { reporters: new Set(given), source: '--reporter' };
  const reporters = new Set<ReporterName>(['list']);
  const detected: string[] = [];
  if (env['GITHUB_ACTIONS'] === 'true') {
    reporters.add('github');
    detected.push('GitHub Actions');
  }
  if (env['GITLAB_CI'] === 'true' && cucumber) {
    reporters.add('junit');
    detected.push('GitLab CI');
  }
  return { reporters, source: detected.length === 0 ? 'default' : `detected ${detected.join(' and ')}` };
}
