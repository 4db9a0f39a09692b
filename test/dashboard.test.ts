/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// The functions passed to page.evaluate run in the browser: their DOM types come from the lines above.
// The dashboard in a real browser: headless Debian Chromium driven by playwright-core, against a real baleen-server
// process and the real engine (the fixtures image), and — for a 2,000-file run — an in-process server on the fake
// backend. Screenshots of every page go to test-output/dashboard/.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { TokenStore } from '../packages/server/src/auth/token-store.js';
import { silentLogger } from '../packages/server/src/log/logger.js';
import { startServer, type RunningServer } from '../packages/server/src/server/baleen-server.js';
import { FakeBackend } from '../packages/server/src/testing/fake-backend.js';
import { launchChromium } from './support/chromium.js';
import { startBaleen, startServerProcess, type RunningCli } from './support/cli.js';
import { IMAGE, REPO_ROOT } from './support/paths.js';

const TOKEN = 'dashboard-e2e-token';
const SHOTS = path.join(REPO_ROOT, 'test-output/dashboard');

async function launchBrowser(): Promise<BrowserContext> {
  const { context } = await launchChromium('baleen-chromium-', { viewport: { width: 1400, height: 1000 } });
  // tsx compiles this file keeping function names through a `__name` helper, which the functions passed to
  // page.evaluate carry into the page: give the page the same helper.
  await context.addInitScript('globalThis.__name = (fn) => fn;');
  return context;
}

async function startDashboardServer(stateDir: string): Promise<{ server: RunningCli; ws: string; http: string }> {
  const server = startServerProcess([
    '--port',
    '0',
    '--log-level',
    'warn',
    '--token',
    TOKEN,
    '--state-dir',
    stateDir,
    '--capacity',
    '1',
  ]);
  const ws = await server.waitForOutput(/listening on (wss?:\/\/\S+)/);
  const http = await server.waitForOutput(/dashboard at (https?:\/\/\S+)/);
  return { server, ws, http };
}

async function stopServer(server: RunningCli): Promise<void> {
  if (server.child.exitCode !== null || server.child.signalCode !== null) return;
  server.child.kill('SIGINT');
  await server.done;
}

async function signIn(page: Page, base: string, token: string): Promise<number | undefined> {
  await page.goto(base);
  await page.fill('#token', token);
  const [response] = await Promise.all([
    page.waitForResponse((candidate) => candidate.url().endsWith('/sign-in')),
    page.click('button[type=submit]'),
  ]);
  await page.waitForLoadState('domcontentloaded');
  return response.status();
}

/** The whole page, or only what the window shows (a 2,000-file page is 60,000 pixels tall). */
async function shot(page: Page, name: string, fullPage = true): Promise<void> {
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage });
}

/** The state a file's row shows, by its file name. */
function rowState(page: Page, file: string): Promise<string | null> {
  return page.evaluate((name) => {
    for (const row of document.querySelectorAll('.file-table tbody tr')) {
      if (row.querySelector('a')?.textContent === name) return row.getAttribute('data-state');
    }
    return null;
  }, file);
}

/** `baleen cucumber` on the fixtures against the dashboard's server, in the given order. */
function startCucumber(files: string[]): RunningCli {
  return startBaleen(
    ['cucumber', '--server', running.ws, '--image', IMAGE, '--order', 'given', '--split', 'off', '--files', ...files],
    { env: { BALEEN_TOKEN: TOKEN } },
  );
}

let running: { server: RunningCli; ws: string; http: string };

describe('the dashboard, in Chromium, against a real server and engine', { timeout: 240_000 }, () => {
  let stateDir: string;
  let browser: BrowserContext;
  let runId = '';

  before(async () => {
    await mkdir(SHOTS, { recursive: true });
    stateDir = await mkdtemp(path.join(tmpdir(), 'baleen-dashboard-state-'));
    running = await startDashboardServer(stateDir);
    browser = await launchBrowser();
  });
  after(async () => {
    await browser.close();
    await stopServer(running.server);
  });

  it('refuses a sign-in with a wrong token, and keeps its API closed without a session', async () => {
    const page = await browser.newPage();
    const status = await signIn(page, running.http, 'not-the-token');
    assert.equal(status, 401);
    await page.waitForSelector('.refusal');
    assert.match((await page.textContent('.refusal')) ?? '', /Sign-in refused/);
    await shot(page, '01-sign-in-refused');
    const api = await page.evaluate(async () => (await fetch('/api/now')).status);
    assert.equal(api, 401, 'no session, no API');
    const cookies = await browser.cookies();
    assert.equal(cookies.filter((cookie) => cookie.name === 'baleen_session').length, 0);
    await page.close();
  });

  it('shows a run live: queued → running → failed without a reload, the output tail growing, the failure', async () => {
    const page = await browser.newPage();
    assert.equal(await signIn(page, running.http, TOKEN), 303);
    const cookie = (await browser.cookies()).find((candidate) => candidate.name === 'baleen_session');
    assert.ok(cookie !== undefined, 'a session cookie');
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.sameSite, 'Strict');
    assert.notEqual(cookie.value, TOKEN, 'the cookie holds a session id, not the token');
    await page.waitForSelector('#now-title');

    // The server's capacity is 1: a slow run holds it, and the run with the failing file waits its turn.
    const slowRun = startCucumber(['edge/slow.feature']);
    const slowLink = await slowRun.waitForOutput(/dashboard: (http\S+)/);
    const failingRun = startCucumber(['edge/failing.feature', 'features/cart.feature']);
    const link = await failingRun.waitForOutput(/dashboard: (http\S+)/);
    runId = /\/runs\/([^/\s]+)$/.exec(link)?.[1] ?? '';
    assert.match(runId, /^run-/, `the CLI prints the run's dashboard link: ${link}`);
    assert.ok(link.startsWith(running.http), 'the link is on the server the client used');

    // The Now page lists both runs without being reloaded.
    await page.waitForSelector(`.run-card a[href="/runs/${runId}"]`, { timeout: 30_000 });
    await shot(page, '02-now-running');

    await page.goto(link);
    await page.waitForSelector('.file-table tbody tr.file-row');
    // Records each row's states as they change, in this document: a reload would lose the record.
    await page.evaluate(() => {
      const seen: Record<string, string[]> = {};
      (window as unknown as { baleenSeen: typeof seen }).baleenSeen = seen;
      const record = (): void => {
        for (const row of document.querySelectorAll('.file-table tbody tr.file-row')) {
          const name = row.querySelector('a')?.textContent ?? '';
          const state = row.getAttribute('data-state') ?? '';
          const states = (seen[name] ??= []);
          if (states.at(-1) !== state) states.push(state);
        }
      };
      record();
      new MutationObserver(record).observe(document.body, {
        subtree: true,
        childList: true,
        attributes: true,
        attributeFilter: ['data-state'],
      });
    });
    assert.equal(await rowState(page, 'edge/failing.feature'), 'queued');
    await shot(page, '03-run-queued');

    // In a second tab: the slow file's output tail, opened while it runs, grows (cucumber's progress dots).
    const slowPage = await browser.newPage();
    await slowPage.goto(slowLink);
    await slowPage.waitForSelector('.file-table a:text-is("edge/slow.feature")');
    await slowPage.click('.file-table a:text-is("edge/slow.feature")');
    await slowPage.waitForSelector('[data-testid=output-tail]');
    assert.match(slowPage.url(), /\/runs\/run-[^/]+\/files\/0$/, 'a deep link for the file');
    const tailOf = (): Promise<string> =>
      slowPage.evaluate(() => (document.querySelector('[data-testid=output-tail]')?.textContent ?? '').trim());
    await slowPage.waitForFunction(
      () => /^[.F]+$/.test((document.querySelector('[data-testid=output-tail]')?.textContent ?? '').trim()),
      undefined,
      { timeout: 60_000 },
    );
    const first = await tailOf();
    assert.equal(
      await rowState(slowPage, 'edge/slow.feature').then((state) => state === 'running' || state === 'starting'),
      true,
    );
    await shot(slowPage, '04-run-file-output-tail');
    await slowPage.waitForFunction(
      (before) => (document.querySelector('[data-testid=output-tail]')?.textContent ?? '').trim().length > before,
      first.length,
      { timeout: 30_000 },
    );
    const grown = await tailOf();
    assert.ok(grown.length > first.length && grown.startsWith(first), `the live tail grew: '${first}' → '${grown}'`);
    await slowPage.close();

    // The failing file goes from the queue to running to failed, all in this document.
    await page.waitForFunction(
      () =>
        [...document.querySelectorAll('.file-table tbody tr.file-row')].some(
          (row) =>
            row.querySelector('a')?.textContent === 'edge/failing.feature' &&
            row.getAttribute('data-state') === 'failed',
        ),
      undefined,
      { timeout: 90_000 },
    );
    const seen = await page.evaluate(() => (window as unknown as { baleenSeen: Record<string, string[]> }).baleenSeen);
    const failing = seen['edge/failing.feature'] ?? [];
    assert.equal(failing[0], 'queued', `states seen: ${failing.join(' → ')}`);
    assert.ok(
      failing.includes('running') || failing.includes('starting'),
      `it was seen running: ${failing.join(' → ')}`,
    );
    assert.equal(failing.at(-1), 'failed');

    // The failure, with its message and its scenario's location, shown live (still the same document).
    await page.waitForSelector('#failures-title');
    const failures = (await page.textContent('.failures')) ?? '';
    assert.match(failures, /Arithmetic that does not hold/);
    assert.match(failures, /2 plus 2 is 4, not 5/);
    assert.match(failures, /edge\/failing\.feature:7/);
    assert.equal((await failingRun.done).code, 1, 'the run failed, as the page said');
    assert.equal((await slowRun.done).code, 0);
    await page.waitForSelector('#run-title .status-failed');
    const cart = seen['features/cart.feature'] ?? [];
    const after = await page.evaluate(() => (window as unknown as { baleenSeen: Record<string, string[]> }).baleenSeen);
    assert.equal(after['features/cart.feature']?.at(-1), 'passed', `cart: ${cart.join(' → ')}`);
    await shot(page, '05-run-failed');

    // A deep link to the failed scenario shows its message.
    await page.click('.failures a:text-is("Arithmetic that does not hold")');
    await page.waitForSelector('.selected-scenario');
    assert.match(page.url(), /\/scenarios\/\d+\/7$/);
    assert.match((await page.textContent('.selected-scenario')) ?? '', /2 plus 2 is 4, not 5/);
    await shot(page, '06-scenario-deep-link');

    // The run's JUnit, built by the server from the run's own message stream.
    const junit = await page.evaluate(async (id) => {
      const response = await fetch(`/api/runs/${id}/report/junit`);
      return { status: response.status, body: await response.text() };
    }, runId);
    assert.equal(junit.status, 200);
    assert.match(junit.body, /<testcase[^>]+name="Arithmetic that does not hold"/);
    assert.match(junit.body, /<failure/);
    await page.close();
  });

  it('lists the run in the history after it ends, and again after the server restarts', async () => {
    const page = await browser.newPage();
    await page.goto(`${running.http}history`);
    await page.waitForSelector(`table[aria-label=runs] a[href="/runs/${runId}"]`, { timeout: 15_000 });
    await shot(page, '07-history');

    await stopServer(running.server);
    running = await startDashboardServer(stateDir);
    // The old session died with the old process: sign in again.
    assert.equal(await signIn(page, `${running.http}history`, TOKEN), 303);
    await page.waitForSelector(`table[aria-label=runs] a[href="/runs/${runId}"]`, { timeout: 15_000 });
    const row = (await page.textContent(`table[aria-label=runs] tr:has(a[href="/runs/${runId}"])`)) ?? '';
    assert.match(row, /FAILED/);
    await shot(page, '08-history-after-restart');

    // The past run's page, read back from the store; and a file's trend.
    await page.click(`a[href="/runs/${runId}"]`);
    await page.waitForSelector('#failures-title');
    assert.match((await page.textContent('.failures')) ?? '', /2 plus 2 is 4, not 5/);
    await shot(page, '09-run-from-history');
    await page.goto(
      `${running.http}history/file?suite=${encodeURIComponent('baleen-fixtures')}&file=${encodeURIComponent('edge/failing.feature')}`,
    );
    await page.waitForSelector('#trend-title');
    await shot(page, '10-file-trend');
    await page.close();
  });
});

describe('a 2,000-file run in the dashboard (fake backend)', { timeout: 120_000 }, () => {
  let server: RunningServer;
  let browser: BrowserContext;

  before(async () => {
    await mkdir(SHOTS, { recursive: true });
    server = await startServer({
      host: '127.0.0.1',
      port: 0,
      capacity: 16,
      startConcurrency: 16,
      log: silentLogger(),
      tokens: new TokenStore([TOKEN], undefined),
      backend: new FakeBackend(() => ({ durationMs: 150 })),
      dashboard: true,
      reaper: false,
    });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser.close();
    await server.close();
  });

  it('renders the run page in under 2 s and stays responsive while it runs', async () => {
    const project = await mkdtemp(path.join(tmpdir(), 'baleen-2000-'));
    await mkdir(path.join(project, 'tests'));
    for (let i = 0; i < 2000; i++)
      await writeFile(path.join(project, 'tests', `t${String(i).padStart(4, '0')}.txt`), '');
    const client = startBaleen(
      [
        'run',
        '--server',
        server.url,
        '--image',
        'fake:latest',
        '--concurrency',
        '16',
        '--files',
        'tests',
        '--',
        'true',
        '{file}',
      ],
      { cwd: project, env: { BALEEN_TOKEN: TOKEN } },
    );
    const link = await client.waitForOutput(/dashboard: (http\S+)/);
    const page = await browser.newPage();
    assert.equal(await signIn(page, link, TOKEN), 303);
    // Measured on a fresh load of the deep link, while the run is going: from navigation to the table showing
    // its first rows and counting all 2,000 files.
    const began = Date.now();
    await page.goto(link);
    await page
      .waitForFunction(
        () =>
          /2000 of 2000/.test(document.querySelector('.file-table')?.textContent ?? '') &&
          document.querySelector('.file-table tr.file-row a')?.textContent === 'tests/t0000.txt',
        undefined,
        { timeout: 10_000 },
      )
      .catch(async (error: unknown) => {
        await shot(page, '11-run-2000-files-not-rendered', false);
        throw error;
      });
    const renderMs = Date.now() - began;
    console.log(`2,000-file run page rendered in ${renderMs} ms`);
    assert.ok(renderMs < 2000, `rendered in ${renderMs} ms`);
    await shot(page, '11-run-2000-files', false);

    // Responsive while events stream in: scrolling to the end brings the last file's row in within a frame or
    // two, and the keyboard moves from file to file.
    const scrollMs = await page.evaluate(async () => {
      const start = performance.now();
      window.scrollTo(0, document.body.scrollHeight);
      for (let frame = 0; frame < 60; frame++) {
        await new Promise((resolve) => requestAnimationFrame(resolve));
        const names = [...document.querySelectorAll('.file-table tr.file-row a')].map((a) => a.textContent);
        if (names.includes('tests/t1999.txt')) return performance.now() - start;
      }
      return Infinity;
    });
    console.log(`scrolled to the last of 2,000 files in ${Math.round(scrollMs)} ms`);
    assert.ok(scrollMs < 500, `the last row came into view in ${Math.round(scrollMs)} ms`);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.focus('.file-table tr.file-row a');
    for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowDown');
    assert.equal(
      await page.evaluate(() => document.activeElement?.textContent),
      'tests/t0003.txt',
      'the arrow keys move between files',
    );
    const result = await client.done;
    assert.equal(result.code, 0, result.stderr);
    await page.waitForSelector('#run-title .status-passed', { timeout: 20_000 });
    await shot(page, '12-run-2000-files-passed', false);
    await page.close();
  });
});
