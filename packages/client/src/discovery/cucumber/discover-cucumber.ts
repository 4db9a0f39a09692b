import { readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { MAX_SCENARIO_NAME_LENGTH, type ExpectedScenario } from '@baleen/protocol';
import { parseArgsStringToArgv } from 'string-argv';
import { discoverFiles } from '../discover-files.js';
import {
  emptyFilters,
  filtersFromArgv,
  filtersFromProfile,
  mergeFilters,
  parseCucumberArgv,
  type ScenarioFilters,
} from './cucumber-argv.js';
import { loadProjectConfig, type ProjectConfig } from './load-project-config.js';

/** What cucumber-js finds by default when nothing names paths: Markdown features too. */
export const DEFAULT_FEATURE_PATHS = ['features/**/*.{feature,feature.md}'];
/** What a folder given as a path holds, for cucumber-js: only `*.feature` (a `.feature.md` is named, or a glob). */
export const FEATURE_FILE_PATTERN = '**/*.feature';

/** One feature file and what cucumber-js will run of it. */
export interface DiscoveredFeature {
  file: string;
  /** The scenarios that match the run's filters, in file order; undefined when they could not be known. */
  scenarios: ExpectedScenario[] | undefined;
  /** Only these lines run (lines were named, or the suite is sharded): the container is given them. */
  byLine: boolean;
  /** Why the file could not be parsed here (cucumber-js in the container will say so too). */
  parseError?: string;
}

/** How the configuration was read: by cucumber-js itself, tolerantly by Baleen, or not at all. */
export type DiscoverySource = 'cucumber' | 'tolerant' | 'arguments';

export interface CucumberDiscovery {
  source: DiscoverySource;
  /** The config file, if there is one. */
  configFile: string | undefined;
  /** Why the configuration was not read by cucumber-js itself (and what that means), when it was not. */
  note: string | undefined;
  features: DiscoveredFeature[];
  /** cucumber arguments for every container: the given ones without paths. */
  args: string[];
  /** The run's feature folders, from which cucumber derives support code when the project names none. */
  suitePaths: string[];
  /** The filters in effect, for messages ("tags 'not @wip'"). */
  filters: ScenarioFilters;
  /** What Baleen changes in each container, for the banner. */
  overrides: string[];
  /** cucumber-js's own output while reading the config (warnings), if any. */
  printed: string;
  /** Markdown features in the directories given, which cucumber-js does not run unless they are named. */
  markdownLeftOut: string[];
}

export interface DiscoverCucumberOptions {
  cwd: string;
  /** Baleen's --files, when given (each may end in :LINE). */
  files: readonly string[];
  /** The cucumber arguments after `--`. */
  args: readonly string[];
}

const LINES_SUFFIX = /((?::\d+)+)$/;

/**
 * Finds what each feature file will run, the way cucumber-js does: the project's configuration file and profile
 * (loaded by cucumber-js's own loadConfiguration), the paths, tags, names and shard, and the arguments after
 * `--`; then the feature files are parsed and filtered by cucumber-js's loadSources. When this cucumber-js cannot
 * resolve the configuration (an option only an older version knows), Baleen reads the profiles' filters itself;
 * when the file cannot even be loaded here (it imports what only the image has), only the arguments count, and
 * the scenario lists are not enforced.
 */
export async function discoverCucumber(options: DiscoverCucumberOptions): Promise<CucumberDiscovery> {
  const argv = parseCucumberArgv(options.args);
  const reader = cucumberDirFor(options.cwd);
  const config = await loadProjectConfig({
    cwd: options.cwd,
    cucumberDir: reader.dir,
    configFile: argv.config,
    profiles: argv.profiles,
    args: argv.withoutPaths,
  });
  const { source, filters, note } = filtersFrom(config, argv, reader.olderProjectVersion);

  const given = [...options.files, ...argv.paths];
  const inputs = given.length > 0 ? given : filters.paths.length > 0 ? filters.paths : DEFAULT_FEATURE_PATHS;
  const lineSpecs = new Map<string, number[]>();
  const plain = inputs.map((input) => {
    const match = LINES_SUFFIX.exec(input);
    if (match === null) return input;
    const file = input.slice(0, match.index);
    const lines = (match[1] ?? '').split(':').filter(Boolean).map(Number);
    const key = path.relative(options.cwd, path.resolve(options.cwd, file)).split(path.sep).join('/');
    lineSpecs.set(key, [...(lineSpecs.get(key) ?? []), ...lines]);
    return file;
  });
  const files = await discoverFiles(plain, { cwd: options.cwd, directoryPattern: FEATURE_FILE_PATTERN });
  const markdownLeftOut = await markdownInDirectories(plain, files, options.cwd);

  const { loadSources } = await import('@cucumber/cucumber/api');
  const planned = await loadSources(
    {
      defaultDialect: filters.language ?? 'en',
      paths: files.map((file) => {
        const lines = lineSpecs.get(file);
        return lines === undefined ? file : `${file}:${lines.join(':')}`;
      }),
      names: filters.names,
      tagExpression: filters.tagExpression,
      order: 'defined',
      ...(filters.shard === undefined ? {} : { shard: filters.shard }),
    },
    { cwd: options.cwd, env: process.env },
  );
  const byFile = new Map<string, ExpectedScenario[]>(files.map((file) => [file, []]));
  for (const pickle of planned.plan) {
    const uri = pickle.uri.split(path.sep).join('/');
    byFile.get(uri)?.push({ line: pickle.location.line, name: pickle.name.slice(0, MAX_SCENARIO_NAME_LENGTH) });
  }
  const parseErrors = new Map(planned.errors.map((error) => [error.uri, error.message]));
  const enforced = source !== 'arguments';
  const features = files.map((file): DiscoveredFeature => {
    const parseError = parseErrors.get(file);
    const scenarios = (byFile.get(file) ?? []).sort((a, b) => a.line - b.line);
    return {
      file,
      // A file that could not be parsed here, or a filter not known here, leaves the container to decide.
      scenarios: parseError === undefined && enforced ? scenarios : undefined,
      byLine: lineSpecs.has(file) || filters.shard !== undefined,
      ...(parseError === undefined ? {} : { parseError }),
    };
  });
  // In `arguments` mode a file counts as matching unless the known filters rule it out entirely.
  if (!enforced) {
    for (const feature of features) {
      if ((byFile.get(feature.file) ?? []).length === 0 && feature.parseError === undefined) feature.scenarios = [];
    }
  }
  return {
    source,
    configFile: config.file,
    note,
    features,
    args: argv.withoutPaths,
    suitePaths: featureDirectories(files),
    filters,
    overrides: overridesFor(filters, files.length),
    // What cucumber-js printed while failing to resolve a configuration Baleen then read itself is that failure,
    // already in the note.
    printed: source === 'tolerant' ? '' : config.printed,
    markdownLeftOut,
  };
}

/**
 * Markdown features (`*.feature.md`) in the directories given: cucumber-js expands a directory to its `*.feature`
 * files only, so these do not run unless named — worth a word, since cucumber's own default paths do run them.
 */
async function markdownInDirectories(
  inputs: readonly string[],
  files: readonly string[],
  cwd: string,
): Promise<string[]> {
  const chosen = new Set(files);
  const found: string[] = [];
  for (const input of inputs) {
    const info = await stat(path.resolve(cwd, input)).catch(() => undefined);
    if (info?.isDirectory() !== true) continue;
    for (const file of await discoverFiles([input], { cwd, directoryPattern: '**/*.feature.md' }).catch(() => [])) {
      if (!chosen.has(file)) found.push(file);
    }
  }
  return [...new Set(found)].sort();
}

/**
 * The project's own @cucumber/cucumber when it has 8 or later (its loadConfiguration), else Baleen's; and the
 * project's version when it is installed here but older.
 */
function cucumberDirFor(cwd: string): { dir: string; olderProjectVersion?: string } {
  let olderProjectVersion: string | undefined;
  try {
    const manifest = createRequire(path.join(cwd, 'package.json')).resolve('@cucumber/cucumber/package.json');
    const { version } = JSON.parse(readFileSync(manifest, 'utf8')) as { version?: string };
    if (Number.parseInt(version ?? '', 10) >= 8) return { dir: path.dirname(manifest) };
    olderProjectVersion = version;
  } catch {
    // Not installed here (it may be only in the image): Baleen's own reads the configuration.
  }
  const dir = path.dirname(createRequire(import.meta.url).resolve('@cucumber/cucumber/package.json'));
  return olderProjectVersion === undefined ? { dir } : { dir, olderProjectVersion };
}

function filtersFrom(
  config: ProjectConfig,
  argv: ReturnType<typeof parseCucumberArgv>,
  olderProjectVersion: string | undefined,
): { source: DiscoverySource; filters: ScenarioFilters; note: string | undefined } {
  const fromArgs = filtersFromArgv(argv);
  if (config.resolved !== undefined) {
    const resolved = config.resolved;
    return {
      source: 'cucumber',
      filters: {
        // The arguments' paths are Baleen's to place; the resolved ones are the configuration's.
        paths: resolved.paths.filter((entry) => !argv.paths.includes(entry)),
        tagExpression: resolved.tags,
        names: resolved.name,
        language: resolved.language,
        order: resolved.order,
        shard: resolved.shard,
        publish: resolved.publish,
        failFast: resolved.failFast,
      },
      note: undefined,
    };
  }
  const why = config.resolveError ?? 'unknown reason';
  if (config.profiles !== undefined || config.file === undefined) {
    const chosen = argv.profiles.length > 0 ? argv.profiles : ['default'];
    let filters = emptyFilters();
    for (const name of chosen) {
      const definition = config.profiles?.[name];
      if (definition !== undefined)
        filters = mergeFilters(filters, filtersFromProfile(definition, parseArgsStringToArgv));
    }
    return {
      source: 'tolerant',
      filters: mergeFilters(filters, fromArgs),
      // A cucumber-js 7 project's options (--publish-quiet) are expected not to resolve in a newer cucumber-js:
      // that is said once, as a fact, not as the error it would be for a project of 8 or later.
      note:
        olderProjectVersion !== undefined
          ? `the project's cucumber-js ${olderProjectVersion} has no loadConfiguration: Baleen read the paths, tags and names of ${config.file ?? 'its arguments'} itself`
          : `cucumber-js here could not resolve ${config.file ?? 'the configuration'} as it is (${why}); Baleen read its paths, tags and names itself`,
    };
  }
  return {
    source: 'arguments',
    filters: fromArgs,
    note:
      `${config.file} could not be loaded here (${config.loadError ?? why}): scenarios were found from the feature ` +
      'files and the arguments after -- only, so tags or names your profile sets apply in the containers but not to ' +
      'this count, and missing scenarios are not checked',
  };
}

/**
 * The folders cucumber-js derives support code from for these files: each file's nearest `features` ancestor, or
 * its own folder (cucumber's getFeatureDirectoryPaths).
 */
export function featureDirectories(files: readonly string[]): string[] {
  const dirs = new Set<string>();
  for (const file of files) {
    const parts = path.posix.dirname(file).split('/');
    const features = parts.lastIndexOf('features');
    dirs.add(features === -1 ? path.posix.dirname(file) : parts.slice(0, features + 1).join('/'));
  }
  return [...dirs].sort();
}

function overridesFor(filters: ScenarioFilters, files: number): string[] {
  const overrides = [`paths: only the files Baleen gives each container (of ${files})`];
  if (filters.publish) overrides.push('publish: off (each container would publish its own report)');
  if (filters.shard !== undefined) overrides.push(`shard ${filters.shard}: applied to the whole suite here`);
  // cucumber's fail-fast in one container would stop only that file; the user asked for the run to stop.
  if (filters.failFast) overrides.push('fail-fast: the first failed file stops the whole run (as --fail-fast)');
  return overrides;
}
