import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The browser bundle esbuild writes at build time (scripts/bundle-dashboard.mjs), beside this package's dist. */
export const ASSET_NAMES = ['app.js', 'app.css'] as const;

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  'app.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
};

export interface DashboardAsset {
  body: Buffer;
  contentType: string;
}

/**
 * The dashboard's assets, read once at start: everything the page needs comes from this server (no CDN, no
 * network at run time). Missing files (an unbuilt checkout) leave the dashboard answering 404 for them.
 */
export class DashboardAssets {
  readonly #assets = new Map<string, DashboardAsset>();

  // From the package root, so the same path serves from dist/dashboard/ (built) and src/dashboard/ (tests on tsx).
  constructor(folder: URL = new URL('../../dist/dashboard-ui/', import.meta.url)) {
    for (const name of ASSET_NAMES) {
      try {
        const body = readFileSync(fileURLToPath(new URL(name, folder)));
        this.#assets.set(name, { body, contentType: CONTENT_TYPES[name] ?? 'application/octet-stream' });
      } catch {
        // Not built: reported when asked for.
      }
    }
  }

  get complete(): boolean {
    return this.#assets.size === ASSET_NAMES.length;
  }

  get(name: string): DashboardAsset | undefined {
    return this.#assets.get(name);
  }
}
