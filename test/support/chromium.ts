import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

// Debian's Chromium (scripts/setup.sh installs it): playwright-core cannot download a browser here. The dashboard's
// browser test and the bench's dashboard case both launch it through this module, so the path and flags are one.
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Headless Chromium on a fresh profile (a new directory in the system's temporary directory named from
 * `profilePrefix`), so that nothing carries over from another run. Closing the context leaves the profile on disk;
 * the caller removes it if it wants it gone.
 */
export async function launchChromium(
  profilePrefix: string,
  options: { viewport?: { width: number; height: number } } = {},
): Promise<{ context: BrowserContext; profile: string }> {
  const profile = await mkdtemp(path.join(tmpdir(), profilePrefix));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_FLAGS,
    ...options,
  });
  return { context, profile };
}
