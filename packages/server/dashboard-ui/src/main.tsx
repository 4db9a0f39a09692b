import { render } from 'preact';
import { HistoryPage } from './pages/history-page.js';
import { NowPage } from './pages/now-page.js';
import { RunPage } from './pages/run-page.js';
import { TrendPage } from './pages/trend-page.js';
import { interceptLinks, useLocation, type Location } from './router.js';

/** The page a path names: every page has a link of its own (deep links for a run, a file and a scenario). */
function Page({ location }: { location: Location }) {
  const { path, query } = location;
  const run = /^\/runs\/([^/]+)(?:\/files\/(\d+)|\/scenarios\/(\d+)\/(\d+))?\/?$/.exec(path);
  if (run !== null) {
    const runId = decodeURIComponent(run[1] ?? '');
    const fileIndex = run[2] ?? run[3];
    return (
      <RunPage
        key={runId}
        runId={runId}
        selection={{
          fileIndex: fileIndex === undefined ? null : Number(fileIndex),
          scenarioLine: run[4] === undefined ? null : Number(run[4]),
        }}
      />
    );
  }
  const suite = query.get('suite') ?? undefined;
  const file = query.get('file');
  if (path === '/history/file' && suite !== undefined && file !== null) {
    return <TrendPage suite={suite} file={file} line={null} />;
  }
  if (path === '/history/scenario' && suite !== undefined && file !== null) {
    return <TrendPage suite={suite} file={file} line={Number(query.get('line'))} />;
  }
  if (path.startsWith('/history')) return <HistoryPage suite={suite} />;
  return <NowPage />;
}

function App() {
  const location = useLocation();
  const section = location.path.startsWith('/history') ? 'history' : location.path === '/' ? 'now' : 'run';
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <span class="brand">Baleen</span>
        <nav aria-label="sections">
          <a href="/" aria-current={section === 'now' ? 'page' : undefined}>
            Now
          </a>
          <a href="/history" aria-current={section === 'history' ? 'page' : undefined}>
            History
          </a>
        </nav>
        <form method="post" action="/sign-out" class="sign-out">
          <button type="submit">Sign out</button>
        </form>
      </header>
      <main id="main" tabIndex={-1}>
        <Page location={location} />
      </main>
    </>
  );
}

interceptLinks();
const root = document.getElementById('app');
if (root !== null) {
  root.textContent = '';
  render(<App />, root);
}
