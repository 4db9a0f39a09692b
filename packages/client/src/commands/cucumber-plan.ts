import type { CucumberRun } from '@baleen/protocol';
import { discoverCucumber, type CucumberDiscovery } from '../discovery/cucumber/discover-cucumber.js';
import type { PlannedFile } from '../run/run-request.js';

/** What a cucumber run will do, before anything starts. */
export interface CucumberPlan {
  /** Files that get a container, in discovery order. */
  files: string[];
  /** What each of them is expected to run, by file. */
  scenarios: ReadonlyMap<string, PlannedFile | undefined>;
  /** Files with no scenario that matches the filters: no container. */
  noMatch: string[];
  cucumber: CucumberRun;
  /** Scenarios expected in all, when known. */
  expectedScenarios: number | undefined;
  /** Lines for the banner: where the configuration came from, what matched, what Baleen overrides. */
  banner: string[];
  /** Warnings for stderr (a configuration read tolerantly, cucumber's own warnings). */
  warnings: string[];
  /** The filters, for "no scenario matches ..." */
  filterText: string;
  /** The project's cucumber configuration asks for fail-fast: the run stops at the first failed file. */
  failFast: boolean;
}

/** Finds the feature files and their scenarios with the project's own cucumber configuration. */
export async function planCucumber(options: {
  cwd: string;
  files: readonly string[];
  bin: string;
  args: readonly string[];
}): Promise<CucumberPlan> {
  const discovery = await discoverCucumber({ cwd: options.cwd, files: options.files, args: options.args });
  const runnable = discovery.features.filter(
    (feature) => feature.scenarios === undefined || feature.scenarios.length > 0,
  );
  const noMatch = discovery.features
    .filter((feature) => feature.scenarios?.length === 0)
    .map((feature) => feature.file);
  const known = runnable.every((feature) => feature.scenarios !== undefined);
  const expectedScenarios = known
    ? runnable.reduce((sum, feature) => sum + (feature.scenarios?.length ?? 0), 0)
    : undefined;
  const filterText = describeFilters(discovery);
  const warnings = [
    ...(discovery.note === undefined ? [] : [discovery.note]),
    ...(discovery.printed === '' ? [] : [`cucumber-js said while reading the configuration: ${discovery.printed}`]),
    ...(discovery.markdownLeftOut.length === 0
      ? []
      : [
          `not run: ${discovery.markdownLeftOut.join(', ')} — cucumber-js expands a directory to its *.feature files ` +
            'only; name a Markdown feature (or a glob such as features/**/*.feature.md) to run it',
        ]),
  ];
  return {
    files: runnable.map((feature) => feature.file),
    scenarios: new Map(
      runnable.map((feature) => [
        feature.file,
        feature.scenarios === undefined ? undefined : { scenarios: feature.scenarios, byLine: feature.byLine },
      ]),
    ),
    noMatch,
    cucumber: { bin: options.bin, args: discovery.args, suitePaths: discovery.suitePaths },
    expectedScenarios,
    banner: bannerLines(discovery, runnable.length, noMatch.length, expectedScenarios, filterText),
    warnings,
    filterText,
    failFast: discovery.filters.failFast,
  };
}

function describeFilters(discovery: CucumberDiscovery): string {
  const { filters } = discovery;
  const parts = [
    ...(filters.tagExpression === '' ? [] : [`tags '${filters.tagExpression}'`]),
    ...filters.names.map((name) => `name /${name}/`),
    ...(filters.shard === undefined ? [] : [`shard ${filters.shard}`]),
  ];
  return parts.length === 0 ? 'no tag or name filter' : parts.join(' and ');
}

function bannerLines(
  discovery: CucumberDiscovery,
  files: number,
  noMatch: number,
  scenarios: number | undefined,
  filterText: string,
): string[] {
  const from =
    discovery.configFile === undefined
      ? 'no config file'
      : `${discovery.configFile}${discovery.source === 'cucumber' ? '' : ` (read ${discovery.source === 'tolerant' ? 'tolerantly' : 'only in part'})`}`;
  const matched =
    scenarios === undefined
      ? `${files} file${files === 1 ? '' : 's'}`
      : `${scenarios} scenario${scenarios === 1 ? '' : 's'} in ${files} file${files === 1 ? '' : 's'}`;
  const none = noMatch > 0 ? `, ${noMatch} with no matching scenarios` : '';
  return [
    `cucumber: ${from} · ${filterText} · ${matched}${none}`,
    `cucumber overrides in each container: ${discovery.overrides.join('; ')}`,
  ];
}
