import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { BaleenError, PULL_POLICIES, RUN_ORDERS, SPLIT_MODES } from '@baleen/protocol';
import { z } from 'zod';
import { jsonErrorOffset } from './json-error-position.js';

/** Looked for in the current directory, in this order, when --config is not given. */
export const CONFIG_FILE_NAMES = ['baleen.config.json', 'baleen.config.yaml', 'baleen.config.yml', 'baleen.config.mjs'];

/** A list setting may be written as one string: `files: features` is `files: [features]`. */
const strings = z.union([z.string().transform((one) => [one]), z.array(z.string())]);
/** `env` may be written as a list of K=V or as a map. */
const envValue = z
  .union([strings, z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]))])
  .transform((value) => (Array.isArray(value) ? value : Object.entries(value).map(([k, v]) => `${k}=${String(v)}`)));
const positiveInt = z.int().positive();

/**
 * Every flag a config file may set, under the name the flag has in camelCase (`--work-dir` -> `workDir`).
 * Strict: an unknown key is an error naming it, not a silently ignored typo.
 */
const settingsShape = {
  image: z.string(),
  files: strings,
  server: z.string(),
  token: z.string(),
  ca: z.string(),
  concurrency: positiveInt,
  timeout: z.number().positive(),
  workDir: z.string(),
  beforeCommand: z.string(),
  prepare: z.string(),
  sync: z.boolean(),
  mountWorkspace: z.boolean(),
  env: envValue,
  envFile: strings,
  cucumberBin: z.string(),
  maxOutputBytes: positiveInt,
  retries: z.int().min(0),
  failOnFlaky: z.boolean(),
  failFast: z.boolean(),
  order: z.enum(RUN_ORDERS),
  suite: z.string(),
  pack: z.union([z.number().positive(), z.literal('auto')]),
  split: z.enum(SPLIT_MODES),
  passWithNoScenarios: z.boolean(),
  seed: z.int().min(0),
  history: z.string(),
  json: z.string(),
  messages: z.string(),
  junit: z.string(),
  html: z.string(),
  reporter: z.union([z.string(), z.array(z.string())]),
  lastFailed: z.boolean(),
  otelEndpoint: z.string(),
  showOutput: z.boolean(),
  pull: z.enum(PULL_POLICIES),
  build: z.string(),
  dockerfile: z.string(),
  buildArg: strings,
  tag: z.string(),
  memory: z.union([z.string(), z.number()]).transform(String),
  cpus: z.number().positive(),
  cpusetCpus: z.string(),
  pidsLimit: positiveInt,
  network: z.string(),
  privileged: z.boolean(),
  user: z.union([z.string(), z.int()]).transform(String),
  hostname: z.string(),
  entrypoint: z.string(),
  shmSize: z.union([z.string(), z.number()]).transform(String),
  gpus: z.union([z.string(), z.int()]).transform(String),
  volume: strings,
  tmpfs: strings,
  readOnly: z.boolean(),
  publish: z.array(z.union([z.string(), z.int()]).transform(String)),
  keep: z.boolean(),
  /** `baleen run`: the command, with `{file}` where the file goes. */
  command: z.array(z.string()).min(1),
} as const;

const settingsSchema = z.strictObject(settingsShape).partial();
const configSchema = settingsSchema.extend({
  /** Named projects (`--project api`), each with its own settings over the top-level ones. */
  projects: z.record(z.string(), settingsSchema).optional(),
});

export type ConfigSettings = z.infer<typeof settingsSchema>;

export interface LoadedConfig {
  /** The file the settings came from; undefined when there is none. */
  file: string | undefined;
  /** Top-level settings with the chosen project's on top. */
  settings: ConfigSettings;
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}

async function readConfigFile(file: string): Promise<unknown> {
  const shown = path.basename(file);
  if (file.endsWith('.mjs') || file.endsWith('.js')) {
    let module: { default?: unknown };
    try {
      module = (await import(pathToFileURL(file).href)) as { default?: unknown };
    } catch (error) {
      throw new BaleenError('CONFIG_INVALID', `${shown}: could not load it: ${describeLoadError(error, file)}`, {
        cause: error,
      });
    }
    if (module.default === undefined)
      throw new BaleenError('CONFIG_INVALID', `${shown}: export the settings as default`);
    return module.default;
  }
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new BaleenError(
      'CONFIG_INVALID',
      `${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
    );
  }
  try {
    // yaml is loaded only for a YAML file: every command pays for what it imports at start-up.
    return file.endsWith('.json') ? JSON.parse(text) : (await import('yaml')).parse(text);
  } catch (error) {
    const message = (error as Error).message;
    throw new BaleenError(
      'CONFIG_INVALID',
      `${shown}${jsonLocation(text, file)}: not valid ${file.endsWith('.json') ? 'JSON' : 'YAML'}: ${message}`,
    );
  }
}

/** `:3:14`: where a JSON text goes wrong; nothing for YAML, whose own message says where. */
function jsonLocation(text: string, file: string): string {
  if (!file.endsWith('.json')) return '';
  const offset = jsonErrorOffset(text);
  if (offset === undefined) return '';
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return `:${line}:${column}`;
}

/** A config module's load error in one line, with where in the file when the stack says it. */
function describeLoadError(error: unknown, file: string): string {
  if (!(error instanceof Error)) return String(error);
  const url = pathToFileURL(file).href;
  const where = (error.stack ?? '')
    .split('\n')
    .map((line) => line.trim())
    .find((line) => line.startsWith(url) || line.startsWith(file));
  const at =
    where === undefined ? '' : ` (at ${path.basename(file)}${where.slice(where.indexOf(':', url.length - 1))})`;
  return `${error.name}: ${error.message}${at}`;
}

/** The closest of `known` to a mistyped key, when one is close enough to be what was meant. */
export function closestKey(key: string, known: readonly string[]): string | undefined {
  let best: { key: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (best === undefined || distance < best.distance) best = { key: candidate, distance };
  }
  return best !== undefined && best.distance <= Math.max(1, Math.floor(key.length / 3)) ? best.key : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

function describeIssue(shown: string, issue: z.core.$ZodIssue): string {
  const where = issue.path.length === 0 ? '' : ` at ${issue.path.map(String).join('.')}`;
  if (issue.code === 'unrecognized_keys') {
    const known = [...Object.keys(settingsShape), 'projects'];
    const keys = issue.keys
      .map((key) => {
        const meant = closestKey(key, known);
        return meant === undefined ? `'${key}'` : `'${key}' (did you mean '${meant}'?)`;
      })
      .join(', ');
    return `${shown}: unknown key${issue.keys.length === 1 ? '' : 's'} ${keys}${where} — see baleen cucumber --help for the settings (camelCase flag names)`;
  }
  return `${shown}: ${issue.message}${where}`;
}

/**
 * Reads the project's config file (`--config FILE`, or the first of CONFIG_FILE_NAMES in cwd) and picks the
 * project. No file and no --project is no config at all; a --project without a file, or one the file does not
 * name, is an error.
 */
export async function loadProjectConfig(options: {
  cwd: string;
  file?: string;
  project?: string;
}): Promise<LoadedConfig> {
  let file = options.file === undefined ? undefined : path.resolve(options.cwd, options.file);
  if (file === undefined) {
    const present: string[] = [];
    for (const name of CONFIG_FILE_NAMES) {
      if (await exists(path.join(options.cwd, name))) present.push(name);
    }
    if (present.length > 1) {
      throw new BaleenError(
        'CONFIG_INVALID',
        `${present.join(' and ')} are both here: keep one, or choose with --config FILE`,
      );
    }
    file = present[0] === undefined ? undefined : path.join(options.cwd, present[0]);
  } else if (!(await exists(file))) {
    throw new BaleenError('CONFIG_INVALID', `--config ${options.file}: no such file`);
  }
  if (file === undefined) {
    if (options.project !== undefined) {
      throw new BaleenError(
        'CONFIG_INVALID',
        `--project ${options.project}: no config file here (looked for ${CONFIG_FILE_NAMES.join(', ')})`,
      );
    }
    return { file: undefined, settings: {} };
  }
  const shown = path.relative(options.cwd, file) || file;
  const parsed = configSchema.safeParse(await readConfigFile(file));
  if (!parsed.success) {
    throw new BaleenError('CONFIG_INVALID', parsed.error.issues.map((issue) => describeIssue(shown, issue)).join('\n'));
  }
  const { projects, ...top } = parsed.data;
  if (options.project === undefined) return { file, settings: top };
  const project = projects?.[options.project];
  if (project === undefined) {
    const known = Object.keys(projects ?? {});
    throw new BaleenError(
      'CONFIG_INVALID',
      `${shown}: no project '${options.project}' (projects: ${known.length === 0 ? 'none' : known.join(', ')})`,
    );
  }
  return { file, settings: { ...top, ...project } };
}
