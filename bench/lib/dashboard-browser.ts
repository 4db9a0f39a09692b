import { rm } from 'node:fs/promises';
import { launchChromium } from '../../test/support/chromium.js';

/**
 * The dashboard open in Chromium while a case runs: the Now page in one tab and, as soon as a run exists, that
 * run's page in another, both on their live event streams. The server under test has no tokens (loopback), so no
 * sign-in is needed.
 */
export async function openDashboard(http: string): Promise<{ pagesOpened: () => number; close: () => Promise<void> }> {
  const { context, profile } = await launchChromium('baleen-bench-chromium-');
  const now = await context.newPage();
  await now.goto(`${http}/`);
  let opened = 1;
  const stop = new AbortController();
  // The first run's page, once the server has one: its file table and live scenario results stream too.
  const followRun = (async () => {
    while (!stop.signal.aborted) {
      const response = await fetch(`${http}/api/now`).catch(() => undefined);
      const body = (await response?.json().catch(() => undefined)) as { runs?: { runId: string }[] } | undefined;
      const runId = body?.runs?.[0]?.runId;
      if (runId !== undefined) {
        const page = await context.newPage();
        await page.goto(`${http}/runs/${runId}`);
        opened += 1;
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  })();
  return {
    pagesOpened: () => opened,
    close: async () => {
      stop.abort();
      await followRun.catch(() => undefined);
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}
