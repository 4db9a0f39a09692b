// Bundles the `baleen` CLI into one file (packages/client/dist/baleen.bundle.mjs), which the bin runs when it is
// at least as new as the TypeScript build. Loading ~300 modules one by one cost about half a second at every
// start; one file loads in a fraction of that. dockerode (with ssh2's wasm and native parts) stays a normal
// dependency, loaded from node_modules only by an embedded server.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const version = (pkg) => JSON.stringify(JSON.parse(readFileSync(path.join(root, pkg, 'package.json'), 'utf8')).version);

await build({
  entryPoints: [path.join(root, 'packages/client/dist/cli.js')],
  outfile: path.join(root, 'packages/client/dist/baleen.bundle.mjs'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // cucumber's report formatters read their own assets (the HTML report's script and styles) from beside their
  // code, and cucumber-js itself (discovery) finds its files by __dirname: they stay in node_modules, loaded only
  // when they are needed.
  external: [
    'dockerode',
    'cpu-features',
    // The suite history's SQLite binding finds its native part at run time.
    'better-sqlite3',
    '*.node',
    '@cucumber/html-formatter',
    '@cucumber/junit-xml-formatter',
    '@cucumber/cucumber',
    '@cucumber/cucumber/*',
  ],
  // CommonJS dependencies inside an ES module bundle still call require().
  banner: {
    js: "import { createRequire as __baleenRequire } from 'node:module'; const require = __baleenRequire(import.meta.url);",
  },
  // The versions are read from package.json next to each package's dist/, which a bundle no longer sits beside.
  define: {
    __BALEEN_CLIENT_VERSION__: version('packages/client'),
    __BALEEN_SERVER_VERSION__: version('packages/server'),
  },
  logLevel: 'warning',
});
