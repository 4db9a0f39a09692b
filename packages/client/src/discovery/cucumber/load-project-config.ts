import { Worker } from 'node:worker_threads';
import type { ProfileDefinition } from './cucumber-argv.js';

/** What Baleen needs of a resolved cucumber configuration (cucumber-js's `useConfiguration`). */
export interface ResolvedCucumberConfiguration {
  paths: string[];
  tags: string;
  name: string[];
  language: string | undefined;
  order: string | undefined;
  shard: string | undefined;
  publish: boolean;
  failFast: boolean;
  parallel: number;
  retry: number;
  require: string[];
  import: string[];
}

export interface ProjectConfig {
  /** The config file cucumber-js uses here, if any. */
  file: string | undefined;
  /** The configuration cucumber-js itself resolved (its loadConfiguration), when it could. */
  resolved: ResolvedCucumberConfiguration | undefined;
  /** The file's profiles as they are, for reading tolerantly when cucumber-js could not resolve them. */
  profiles: Record<string, ProfileDefinition> | undefined;
  /** Why cucumber-js could not resolve the configuration. */
  resolveError: string | undefined;
  /** Why the file could not even be loaded (it imports what only the image has, say). */
  loadError: string | undefined;
  /** What cucumber-js printed meanwhile (warnings). */
  printed: string;
}

export interface LoadProjectConfigOptions {
  cwd: string;
  /** The directory of the @cucumber/cucumber (8 or later) whose loadConfiguration to use. */
  cucumberDir: string;
  /** --config and --profile from the cucumber arguments. */
  configFile: string | undefined;
  profiles: readonly string[];
  /** The cucumber arguments without paths, for cucumber's own parsing. */
  args: readonly string[];
}

/** How long loading a config may take before Baleen gives up on it (a config that waits on something). */
const LOAD_TIMEOUT_MS = 30_000;

/**
 * Loads the project's cucumber configuration with cucumber-js's own loadConfiguration, in a worker thread: a config
 * file is the project's code, and loading it may register require hooks, change globals or, through cucumber's
 * argument parser, call process.exit — none of which may touch the client. The file's raw profiles come back too,
 * so that a configuration this cucumber-js rejects (an option of an older version) can still be read.
 */
export async function loadProjectConfig(options: LoadProjectConfigOptions): Promise<ProjectConfig> {
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { ...options, args: [...options.args], profiles: [...options.profiles] },
    stdout: true,
    stderr: true,
  });
  let printed = '';
  const collect = (chunk: Buffer): void => {
    if (printed.length < 64 * 1024) printed += chunk.toString('utf8');
  };
  worker.stdout.on('data', collect);
  worker.stderr.on('data', collect);
  const result: ProjectConfig = {
    file: undefined,
    resolved: undefined,
    profiles: undefined,
    resolveError: undefined,
    loadError: undefined,
    printed: '',
  };
  worker.on('message', (message: WorkerMessage) => {
    switch (message.type) {
      case 'located':
        result.file = message.file;
        return;
      case 'profiles':
        result.profiles = message.profiles;
        return;
      case 'load-error':
        result.loadError = message.error;
        return;
      case 'resolved':
        result.resolved = message.configuration;
        return;
      case 'resolve-error':
        result.resolveError = message.error;
        return;
    }
  });
  const timer = setTimeout(() => void worker.terminate(), LOAD_TIMEOUT_MS);
  const exitCode = await new Promise<number>((resolve) => {
    worker.once('error', (error) => {
      result.resolveError ??= error.message;
    });
    worker.once('exit', resolve);
  });
  clearTimeout(timer);
  result.printed = printed.trim();
  if (result.resolved === undefined && result.resolveError === undefined) {
    // cucumber's argument parser exits the process on an unknown option; in a worker that ends only the worker.
    result.resolveError =
      lastLine(result.printed) ?? `loading the configuration stopped (exit ${exitCode}) without saying why`;
  }
  return result;
}

function lastLine(text: string): string | undefined {
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  return lines.at(-1);
}

type WorkerMessage =
  | { type: 'located'; file: string | undefined }
  | { type: 'profiles'; profiles: Record<string, ProfileDefinition> }
  | { type: 'load-error'; error: string }
  | { type: 'resolved'; configuration: ResolvedCucumberConfiguration }
  | { type: 'resolve-error'; error: string };

/* eslint-disable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access,
   @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-explicit-any,
   @typescript-eslint/no-unsafe-return --
   this runs in the worker against the project's own cucumber-js and config file, which have no types here. */
/** The worker's program; sent as text, so it stands alone (no imports, no closure over this module). */
function configWorker(load: (id: string) => any): void {
  const { workerData, parentPort } = load('node:worker_threads');
  const path = load('node:path');
  const fs = load('node:fs');
  const { pathToFileURL } = load('node:url');
  const post = (message: WorkerMessage): void => parentPort.postMessage(message);
  const data = workerData as LoadProjectConfigOptions;
  const describe = (error: unknown): string => {
    const seen: string[] = [];
    for (let cause: any = error; cause !== undefined && seen.length < 4; cause = cause?.cause) {
      seen.push(cause instanceof Error ? cause.message : String(cause));
    }
    return seen.join(': ');
  };
  const names = ['cucumber.js', 'cucumber.cjs', 'cucumber.mjs', 'cucumber.json', 'cucumber.yaml', 'cucumber.yml'];
  const file: string | undefined = data.configFile ?? names.find((name) => fs.existsSync(path.join(data.cwd, name)));
  post({ type: 'located', file });

  /** The file's profiles, loaded the way cucumber-js loads them, so module caches are shared with it. */
  const loadProfiles = async (): Promise<void> => {
    if (file === undefined) return;
    const full = path.resolve(data.cwd, file);
    const extension = path.extname(full);
    let definitions: any;
    if (extension === '.json') definitions = JSON.parse(fs.readFileSync(full, 'utf8'));
    else if (extension === '.yaml' || extension === '.yml') {
      const yaml = load(load('node:module').createRequire(path.join(data.cucumberDir, 'package.json')).resolve('yaml'));
      definitions = yaml.parse(fs.readFileSync(full, 'utf8'));
    } else if (extension === '.cjs') definitions = load(full);
    else if (extension === '.mjs') definitions = await import(pathToFileURL(full).href);
    else {
      try {
        definitions = load(full);
      } catch (error: any) {
        if (error?.code !== 'ERR_REQUIRE_ESM' && error?.code !== 'ERR_REQUIRE_ASYNC_MODULE') throw error;
        definitions = await import(pathToFileURL(full).href);
      }
    }
    if (typeof definitions?.default === 'function') definitions = { ...(await definitions.default()) };
    const profiles: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(definitions ?? {})) {
      if (name === '__esModule') continue;
      // Only data crosses to the client: strings, arrays and plain objects (a function profile is left out).
      try {
        profiles[name] = JSON.parse(JSON.stringify(value));
      } catch {
        // Not data.
      }
    }
    post({ type: 'profiles', profiles: profiles as Record<string, ProfileDefinition> });
  };

  const resolve = async (): Promise<void> => {
    const api = load(path.join(data.cucumberDir, 'lib', 'api', 'index.js'));
    const argvParser = load(path.join(data.cucumberDir, 'lib', 'configuration', 'argv_parser.js')).default;
    const parsed = argvParser.parse(['node', 'cucumber-js', ...data.args]);
    const quiet = new (load('node:stream').Writable)({
      write(chunk: Buffer, _encoding: string, done: () => void) {
        process.stderr.write(chunk);
        done();
      },
    });
    const { useConfiguration } = await api.loadConfiguration(
      { file: parsed.options.config ?? file, profiles: parsed.options.profile ?? [], provided: parsed.configuration },
      { cwd: data.cwd, env: process.env, stdout: quiet, stderr: quiet },
    );
    const strings = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : []);
    post({
      type: 'resolved',
      configuration: {
        paths: strings(useConfiguration.paths),
        tags: typeof useConfiguration.tags === 'string' ? useConfiguration.tags : '',
        name: strings(useConfiguration.name),
        language: typeof useConfiguration.language === 'string' ? useConfiguration.language : undefined,
        order: typeof useConfiguration.order === 'string' ? useConfiguration.order : undefined,
        shard:
          typeof useConfiguration.shard === 'string' && useConfiguration.shard !== ''
            ? useConfiguration.shard
            : undefined,
        publish: useConfiguration.publish === true,
        failFast: useConfiguration.failFast === true,
        parallel: Number(useConfiguration.parallel) || 0,
        retry: Number(useConfiguration.retry) || 0,
        require: strings(useConfiguration.require),
        import: strings(useConfiguration.import),
      },
    });
  };

  void (async () => {
    try {
      await loadProfiles();
    } catch (error) {
      post({ type: 'load-error', error: describe(error) });
      return;
    }
    try {
      await resolve();
    } catch (error) {
      post({ type: 'resolve-error', error: describe(error) });
    }
  })();
}
/* eslint-enable */

/** tsx (the tests' loader) wraps named functions in a `__name` helper the worker does not have: a no-op one. */
const WORKER_SOURCE = `var __name = function (target) { return target; };\n(${configWorker.toString()})(require);`;
