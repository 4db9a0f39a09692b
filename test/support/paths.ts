import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** The fixtures project; the image holds the same tree at its work dir, so the CLI runs from here. */
export const FIXTURES = path.join(REPO_ROOT, 'fixtures/cucumber');
export const IMAGE = process.env['BALEEN_FIXTURES_IMAGE'] ?? 'baleen-fixtures:latest';
export const BALEEN_BIN = path.join(REPO_ROOT, 'packages/client/bin/baleen.js');
export const SERVER_BIN = path.join(REPO_ROOT, 'packages/server/bin/baleen-server.js');
export const ODD_NAME = `edge/odd names/spaces; $(touch pwned) 'quotes' & more.feature`;
