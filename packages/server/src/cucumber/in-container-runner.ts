/*
 * The program Baleen runs inside a cucumber container, in front of the project's own cucumber-js: `node -e
 * <this function's source> -- <config JSON> <cucumber bin> <cucumber args...>`. It is sent as text (see
 * runner-command.ts), so it must stand alone: no imports, no closure over this module, and only syntax that the
 * oldest Node a supported cucumber-js runs on understands (cucumber-js 7 runs on Node 12: no `?.`, no `??`).
 *
 * What it does, in this order, before any of the project's code loads:
 * 1. Opens its own handle on fd 2 (a pipe in a container): a libuv pipe, not fs, so a mocked fs (mock-fs, memfs)
 *    cannot break it; not `process.stderr`, so a step that stubs process.stderr.write or console cannot swallow
 *    it; blocking, so a `process.exit()` in a hook cannot drop what was written. Every message goes out in frames
 *    of at most PIPE_BUF bytes, each one write: POSIX keeps such writes whole even when other processes (cucumber's
 *    parallel workers, a step's child process) write to the same pipe. Each frame carries a per-container marker
 *    and a sequence number, so the server finds frames anywhere in the stream and knows when one went missing.
 * 2. Finds the project's @cucumber/cucumber behind the given bin and checks its version (7 or later).
 * 3. Patches that cucumber in memory for this one process: cucumber's whole message stream is tapped (the first
 *    run only: a scenario may run cucumber in-process itself); the paths it runs are replaced by Baleen's targets
 *    (cucumber merges configured and command-line paths, so a configured `paths` would run the whole suite in
 *    every container), support code is found as a run of the whole suite would find it, and publishing is off.
 * 4. Runs the project's cucumber-js bin in this same process, exactly as `cucumber-js <args>` would.
 */

/** What the server tells the runner, as the first argument after `--`. */
export interface RunnerConfig {
  /** Starts every frame: a record separator, `bln`, a per-container nonce and `:`. */
  marker: string;
  /** Payload bytes per frame, so that a frame with its header stays within PIPE_BUF. */
  chunkBytes: number;
  /** What cucumber runs in this container: feature files, each optionally with `:LINE` suffixes. */
  targets: string[];
  /**
   * The paths of the whole run, from which cucumber derives where support code lives when the project names none
   * (the `features` folders above the feature files): the same support code as one cucumber-js over every file.
   */
  suitePaths: string[];
  /** The oldest major version of @cucumber/cucumber the runner can drive. */
  minimumMajor: number;
}

/** Codes the runner reports in a `baleen.error` message before it exits with RUNNER_FAILED_EXIT_CODE. */
export const RUNNER_ERROR_CODES = ['CUCUMBER_NOT_FOUND', 'CUCUMBER_TOO_OLD', 'CUCUMBER_UNSUPPORTED'] as const;
export type RunnerErrorCode = (typeof RUNNER_ERROR_CODES)[number];

/** The runner's exit code when it could not start cucumber (EX_SOFTWARE); the error frame says why. */
export const RUNNER_FAILED_EXIT_CODE = 70;

/* eslint-disable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access,
   @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-argument,
   @typescript-eslint/no-explicit-any, @typescript-eslint/restrict-plus-operands --
   this code runs in the container's Node against the project's cucumber-js, whose internals have no types here;
   and it must keep to syntax old Node versions parse. */
export function inContainerRunner(load: (id: string) => any, argv: string[]): void {
  'use strict';
  const net = load('net');
  const fs = load('fs');
  const path = load('path');
  const config: RunnerConfig = JSON.parse(argv[0] || '{}');
  const binArg: string = argv[1] || '';
  const cucumberArgs: string[] = argv.slice(2);
  const FAILED_EXIT_CODE = 70;

  // --- 1. the channel ----------------------------------------------------------------------------------------
  const write = openChannel();
  let sequence = 0;

  function openChannel(): (frame: Buffer) => void {
    try {
      const stat = fs.fstatSync(2);
      if (stat.isFIFO() || stat.isSocket()) {
        const socket = new net.Socket({ fd: 2, readable: false, writable: true });
        if (socket._handle && typeof socket._handle.setBlocking === 'function') socket._handle.setBlocking(true);
        // A reader that went away (the container is being killed) must not become an uncaught error.
        socket.on('error', function () {});
        if (typeof socket.unref === 'function') socket.unref();
        return function (frame) {
          socket.write(frame);
        };
      }
    } catch {
      // Fall through to a plain write.
    }
    // A terminal or a file (never a container's pipe): the best left is a direct write.
    const writeSync = fs.writeSync;
    return function (frame) {
      try {
        writeSync(2, frame);
      } catch {
        // Nothing to report it on.
      }
    };
  }

  function send(message: unknown): void {
    let body: Buffer;
    try {
      body = Buffer.from(JSON.stringify(message), 'utf8');
    } catch (error) {
      body = Buffer.from(JSON.stringify({ baleen: { unserialisable: String(error) } }), 'utf8');
    }
    const chunk = config.chunkBytes > 0 ? config.chunkBytes : 4000;
    for (let offset = 0; offset < body.length || offset === 0;) {
      let end = Math.min(offset + chunk, body.length);
      // Cut between characters, never inside one: a log driver that stores lines as text (Swarm's json-file)
      // would replace half a character.
      while (end < body.length && end > offset + 1 && ((body[end] as number) & 0xc0) === 0x80) end -= 1;
      const last = end >= body.length;
      const head = Buffer.from(config.marker + sequence + (last ? '=' : '+'), 'latin1');
      sequence += 1;
      write(Buffer.concat([head, body.subarray(offset, end), Buffer.from('\n')]));
      if (last) return;
      offset = end;
    }
  }

  function fail(code: string, message: string): void {
    send({ baleen: { error: { code: code, message: message } } });
    process.exit(FAILED_EXIT_CODE);
  }

  send({ baleen: { hello: { node: process.version, pid: process.pid } } });
  process.on('exit', function (code: number) {
    send({ baleen: { exit: { code: code } } });
  });

  // --- 2. the project's cucumber -----------------------------------------------------------------------------
  const cwd = process.cwd();
  let binPath: string;
  try {
    binPath = fs.realpathSync(path.resolve(cwd, binArg));
  } catch {
    fail(
      'CUCUMBER_NOT_FOUND',
      `cucumber-js was not found at '${binArg}' in ${cwd} (the container's work dir): install @cucumber/cucumber in ` +
        'the image, or point --cucumber-bin at its bin, or --work-dir at the project',
    );
    return;
  }
  const found = findCucumber(binPath);
  if (found === undefined) {
    fail(
      'CUCUMBER_NOT_FOUND',
      `'${binArg}' is not cucumber-js's own bin and no @cucumber/cucumber is installed in ${cwd}: Baleen runs cucumber-js ` +
        'in the container with its own message channel, so --cucumber-bin must be node_modules/.bin/cucumber-js or a ' +
        'Node script that runs cucumber-js in its own process',
    );
    return;
  }
  const major = parseInt(found.version, 10);
  if (found.name !== '@cucumber/cucumber' || !(major >= config.minimumMajor)) {
    fail(
      'CUCUMBER_TOO_OLD',
      `the image has ${found.name} ${found.version} (${found.dir}); Baleen needs @cucumber/cucumber ` +
        `${config.minimumMajor} or later — upgrade it in the project (npm install @cucumber/cucumber@latest)`,
    );
    return;
  }
  send({ baleen: { cucumber: { version: found.version, dir: found.dir } } });

  /** The cucumber package the bin belongs to, or else the one the project would load. */
  function findCucumber(bin: string): { name: string; version: string; dir: string } | undefined {
    let dir = path.dirname(bin);
    for (let depth = 0; depth < 6; depth += 1) {
      const described = readPackage(dir);
      if (described !== undefined) {
        if (described.name === '@cucumber/cucumber' || described.name === 'cucumber') return described;
        break;
      }
      const parent = path.dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
    for (const name of ['@cucumber/cucumber', 'cucumber']) {
      try {
        const manifest = load('module')
          .createRequire(path.join(cwd, 'package.json'))
          .resolve(name + '/package.json');
        const described = readPackage(path.dirname(manifest));
        if (described !== undefined) return described;
      } catch {
        // Not installed under that name.
      }
    }
    return undefined;
  }

  function readPackage(dir: string): { name: string; version: string; dir: string } | undefined {
    try {
      const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
      return { name: String(manifest.name), version: String(manifest.version), dir: dir };
    } catch {
      return undefined;
    }
  }

  // --- 3. patches --------------------------------------------------------------------------------------------
  const lib = path.join(found.dir, 'lib');
  const exists = function (file: string): boolean {
    return fs.existsSync(path.join(lib, file));
  };
  try {
    if (exists('api/load_configuration.js') && exists('api/run_cucumber.js')) patchApi();
    else if (exists('cli/index.js') && exists('cli/configuration_builder.js')) patchCli7();
    else throw new Error('neither lib/api/run_cucumber.js nor lib/cli/configuration_builder.js is there');
  } catch (error) {
    fail(
      'CUCUMBER_UNSUPPORTED',
      `Baleen cannot drive @cucumber/cucumber ${found.version} (${found.dir}): ${String(error)}`,
    );
    return;
  }

  /** cucumber-js 8 and later: the CLI is loadConfiguration + runCucumber of the api. */
  function patchApi(): void {
    const loading = load(path.join(lib, 'api/load_configuration.js'));
    const running = load(path.join(lib, 'api/run_cucumber.js'));
    const pathsFile = exists('paths/paths.js') ? 'paths/paths.js' : 'api/paths.js';
    const paths = load(path.join(lib, pathsFile));
    const originalLoad = loading.loadConfiguration;
    const originalRun = running.runCucumber;
    const originalResolve = paths.resolvePaths;
    if (typeof originalLoad !== 'function' || typeof originalRun !== 'function') {
      throw new Error('loadConfiguration or runCucumber is missing');
    }
    let configured = false;
    let tapped = false;
    let resolved = false;
    loading.loadConfiguration = function (this: unknown, ...args: unknown[]) {
      return originalLoad.apply(this, args).then(function (result: any) {
        if (configured) return result;
        configured = true;
        const sources = result.runConfiguration.sources;
        sources.paths = config.targets.slice();
        // The client applied any sharding to the whole suite and sends this container's scenarios by line.
        if ('shard' in sources) sources.shard = undefined;
        if (result.useConfiguration) result.useConfiguration.paths = config.targets.slice();
        if (result.runConfiguration.formats) result.runConfiguration.formats.publish = false;
        return result;
      });
    };
    running.runCucumber = function (this: unknown, ...args: any[]) {
      if (tapped) return originalRun.apply(this, args);
      const onMessage = args[2];
      tapped = true;
      const tap = function (envelope: unknown): void {
        send(envelope);
        if (typeof onMessage === 'function') onMessage(envelope);
      };
      return originalRun.call(this, args[0], args[1], tap);
    };
    if (typeof originalResolve === 'function') {
      paths.resolvePaths = function (this: unknown, ...args: any[]) {
        const logger = args[0];
        const dir = args[1];
        const sources = args[2];
        const support = args[3];
        const derived =
          support !== undefined &&
          (support.requirePaths || []).length === 0 &&
          (support.importPaths || []).length === 0;
        if (resolved || !derived || config.suitePaths.length === 0) return originalResolve.apply(this, args);
        resolved = true;
        // Files from this container's targets; support code as a run over the whole suite would find it.
        const whole = Object.assign({}, sources, { paths: config.suitePaths.slice() });
        return Promise.all([
          originalResolve.apply(this, args),
          originalResolve.call(this, logger, dir, whole, support),
        ]).then(function (both: any[]) {
          return Object.assign({}, both[0], { requirePaths: both[1].requirePaths, importPaths: both[1].importPaths });
        });
      };
    }
  }

  /** cucumber-js 7: a Cli class that builds its configuration from argv and profiles. */
  function patchCli7(): void {
    const Cli = load(path.join(lib, 'cli/index.js')).default;
    const Builder = load(path.join(lib, 'cli/configuration_builder.js')).default;
    const originalFormatters = Cli.prototype.initializeFormatters;
    const originalBuild = Builder.prototype.build;
    if (typeof originalFormatters !== 'function' || typeof originalBuild !== 'function') {
      throw new Error('Cli.initializeFormatters or ConfigurationBuilder.build is missing');
    }
    let tapped = false;
    let built = false;
    Cli.prototype.initializeFormatters = function (this: unknown, ...args: any[]) {
      if (!tapped) {
        tapped = true;
        args[0].eventBroadcaster.on('envelope', send);
      }
      return originalFormatters.apply(this, args);
    };
    Builder.prototype.build = function (this: any, ...args: unknown[]) {
      // Every build, not only the first: the CLI builds its configuration again after the run to decide on its
      // "Share your Cucumber Report" banner, which would otherwise print once per container, in every file's output.
      this.isPublishing = function () {
        return false;
      };
      this.isPublishAdvertisementSuppressed = function () {
        return true;
      };
      if (built) return originalBuild.apply(this, args);
      built = true;
      const derived = this.options.require.length === 0;
      const ready =
        derived && config.suitePaths.length > 0
          ? this.expandFeaturePaths(config.suitePaths).then((files: string[]) => {
              this.options.require = this.getFeatureDirectoryPaths(files);
            })
          : Promise.resolve();
      return ready.then(() => {
        this.args = config.targets.slice();
        return originalBuild.call(this);
      });
    };
  }

  // --- 4. cucumber-js itself, in this process ----------------------------------------------------------------
  process.argv = [process.argv[0] || 'node', binPath].concat(cucumberArgs);
  load(binPath);
}
/* eslint-enable */
