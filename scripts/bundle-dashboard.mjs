// Bundles the dashboard's front end (packages/server/dashboard-ui, Preact + TypeScript) into the server package's
// dist (dist/dashboard-ui/app.js and app.css), which baleen-server serves itself: no CDN, nothing fetched at run
// time. Minified.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ui = path.join(root, 'packages/server/dashboard-ui');
const out = path.join(root, 'packages/server/dist/dashboard-ui');

await build({
  entryPoints: { app: path.join(ui, 'src/main.tsx') },
  outdir: out,
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['chrome110', 'firefox110', 'safari16'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
});
await build({
  entryPoints: { app: path.join(ui, 'src/app.css') },
  outdir: out,
  bundle: true,
  minify: true,
  logLevel: 'warning',
});
