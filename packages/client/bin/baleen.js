#!/usr/bin/env node
// A committed entry point, so npm can link the bin before the TypeScript is built. It runs the bundled CLI
// (scripts/bundle-client.mjs: one file, a much faster start) unless the TypeScript build is newer than the bundle,
// as after a bare `tsc -b`; then the modules of dist/ are loaded as they are.
import { statSync } from 'node:fs';

const bundle = new URL('../dist/baleen.bundle.mjs', import.meta.url);
const modules = new URL('../dist/cli.js', import.meta.url);
const mtime = (url) => statSync(url, { throwIfNoEntry: false })?.mtimeMs ?? -1;
await import(mtime(bundle) >= mtime(modules) ? bundle.href : modules.href);
