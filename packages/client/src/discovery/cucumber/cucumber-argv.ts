/**
 * A tolerant reading of cucumber-js arguments, for every major version Baleen drives (7 to 12): it knows which
 * options take a value, so it can tell paths from option values, and it takes an option it does not know (one
 * that an older or newer cucumber-js has) for a flag instead of failing. Baleen needs from it the paths, the
 * filters that decide which scenarios run, the profile and config choices, and the arguments minus the paths.
 */

/** Options that take a value, under every name cucumber-js 7 to 12 gives them. */
const VALUE_OPTIONS: ReadonlyMap<string, keyof Collected | undefined> = new Map<string, keyof Collected | undefined>([
  ['-c', 'config'],
  ['--config', 'config'],
  ['-p', 'profiles'],
  ['--profile', 'profiles'],
  ['-t', 'tags'],
  ['--tags', 'tags'],
  ['--name', 'names'],
  ['--language', 'language'],
  ['--order', 'order'],
  ['--shard', 'shard'],
  ['-f', undefined],
  ['--format', undefined],
  ['--format-options', undefined],
  ['--i18n-keywords', undefined],
  ['-i', undefined],
  ['--import', undefined],
  ['-l', undefined],
  ['--loader', undefined],
  ['--parallel', undefined],
  ['--plugin', undefined],
  ['--plugin-options', undefined],
  ['-r', undefined],
  ['--require', undefined],
  ['--require-module', undefined],
  ['--retry', undefined],
  ['--retry-tag-filter', undefined],
  ['--world-parameters', undefined],
]);

interface Collected {
  config: string | undefined;
  profiles: string[];
  tags: string[];
  names: string[];
  language: string | undefined;
  order: string | undefined;
  shard: string | undefined;
}

export interface CucumberArgv extends Collected {
  /** Feature paths (with any `:LINE` suffixes), in order. */
  paths: string[];
  /** `--publish` was given. */
  publish: boolean;
  /** `--fail-fast` was given. */
  failFast: boolean;
  /** The arguments without the paths, as given. */
  withoutPaths: string[];
}

export function parseCucumberArgv(args: readonly string[]): CucumberArgv {
  const parsed: CucumberArgv = {
    config: undefined,
    profiles: [],
    tags: [],
    names: [],
    language: undefined,
    order: undefined,
    shard: undefined,
    paths: [],
    publish: false,
    failFast: false,
    withoutPaths: [],
  };
  const keep = (value: string, name: keyof Collected | undefined): void => {
    if (name === 'profiles' || name === 'tags' || name === 'names') parsed[name].push(value);
    else if (name !== undefined) parsed[name] = value;
  };
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] ?? '';
    if (arg === '--') {
      parsed.paths.push(...args.slice(index + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      parsed.paths.push(arg);
      continue;
    }
    parsed.withoutPaths.push(arg);
    const equals = arg.indexOf('=');
    const name = arg.startsWith('--') && equals !== -1 ? arg.slice(0, equals) : arg;
    if (name === '--publish') parsed.publish = true;
    if (name === '--fail-fast') parsed.failFast = true;
    if (!VALUE_OPTIONS.has(name)) continue;
    if (name !== arg) {
      keep(arg.slice(equals + 1), VALUE_OPTIONS.get(name));
      continue;
    }
    const value = args[index + 1];
    if (value === undefined) break;
    index += 1;
    parsed.withoutPaths.push(value);
    keep(value, VALUE_OPTIONS.get(name));
  }
  return parsed;
}

/** One profile of a config file, in any form cucumber-js accepts: an object, an argv string or an argv array. */
export type ProfileDefinition = string | readonly string[] | Readonly<Record<string, unknown>>;

/** What decides which scenarios run, as cucumber-js would merge it from profiles and arguments. */
export interface ScenarioFilters {
  paths: string[];
  /** One tag expression, every source's expressions joined with `and`. */
  tagExpression: string;
  names: string[];
  language: string | undefined;
  order: string | undefined;
  shard: string | undefined;
  publish: boolean;
  /** cucumber's own fail-fast: under Baleen it must stop the run, not only the container it happens in. */
  failFast: boolean;
}

export function emptyFilters(): ScenarioFilters {
  return {
    paths: [],
    tagExpression: '',
    names: [],
    language: undefined,
    order: undefined,
    shard: undefined,
    publish: false,
    failFast: false,
  };
}

/** Joins tag expressions as cucumber-js merges them: each wrapped in parentheses, joined with `and`. */
export function andTags(expressions: readonly string[]): string {
  const present = expressions.map((expression) => expression.trim()).filter((expression) => expression !== '');
  if (present.length <= 1) return present[0] ?? '';
  return present.map((expression) => (/^\(.*\)$/.test(expression) ? expression : `(${expression})`)).join(' and ');
}

/** Adds one source (a profile, then the command line) to the filters, as cucumber-js merges configurations. */
export function mergeFilters(into: ScenarioFilters, from: ScenarioFilters): ScenarioFilters {
  return {
    paths: [...into.paths, ...from.paths],
    tagExpression: andTags([into.tagExpression, from.tagExpression]),
    names: [...into.names, ...from.names],
    language: from.language ?? into.language,
    order: from.order ?? into.order,
    shard: from.shard ?? into.shard,
    publish: into.publish || from.publish,
    failFast: into.failFast || from.failFast,
  };
}

export function filtersFromArgv(argv: CucumberArgv): ScenarioFilters {
  return {
    paths: argv.paths,
    tagExpression: andTags(argv.tags),
    names: argv.names,
    language: argv.language,
    order: argv.order,
    shard: argv.shard,
    publish: argv.publish,
    failFast: argv.failFast,
  };
}

/** The filters one profile sets, read tolerantly; `tokenise` splits an argv string as cucumber-js does. */
export function filtersFromProfile(
  definition: ProfileDefinition,
  tokenise: (text: string) => string[],
): ScenarioFilters {
  if (typeof definition === 'string') return filtersFromArgv(parseCucumberArgv(tokenise(definition)));
  if (isStringArray(definition)) return filtersFromArgv(parseCucumberArgv(definition));
  const object = definition;
  const strings = (value: unknown): string[] =>
    Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
  const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
  return {
    paths: strings(object['paths']),
    tagExpression: typeof object['tags'] === 'string' ? object['tags'] : andTags(strings(object['tags'])),
    names: strings(object['name']),
    language: text(object['language']),
    order: text(object['order']),
    shard: text(object['shard']),
    publish: object['publish'] === true,
    failFast: object['failFast'] === true,
  };
}

function isStringArray(value: unknown): value is readonly string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}
