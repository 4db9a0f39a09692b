import { readFileSync } from 'node:fs';

/** Set by scripts/bundle-client.mjs in the bundled CLI, where package.json is not beside this file. */
declare const __BALEEN_CLIENT_VERSION__: string | undefined;

/** This package's version, read from its package.json so it cannot drift. */
export const CLIENT_VERSION: string =
  typeof __BALEEN_CLIENT_VERSION__ === 'string'
    ? __BALEEN_CLIENT_VERSION__
    : (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
