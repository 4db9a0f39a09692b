import { useEffect, useState } from 'preact/hooks';

/** Where the page is: path and query, as the server's deep links name them (/runs/ID, /history?suite=...). */
export interface Location {
  path: string;
  query: URLSearchParams;
}

function current(): Location {
  return { path: window.location.pathname, query: new URLSearchParams(window.location.search) };
}

const listeners = new Set<() => void>();

export function navigate(href: string): void {
  window.history.pushState(null, '', href);
  for (const listener of listeners) listener();
  window.scrollTo(0, 0);
}

export function useLocation(): Location {
  const [location, setLocation] = useState(current);
  useEffect(() => {
    const update = (): void => setLocation(current());
    listeners.add(update);
    window.addEventListener('popstate', update);
    return () => {
      listeners.delete(update);
      window.removeEventListener('popstate', update);
    };
  }, []);
  return location;
}

/**
 * Links stay real links (keyboard, middle-click, copy link address); a plain click on one of this dashboard's own
 * is handled in the page instead of a reload.
 */
export function interceptLinks(): void {
  document.addEventListener('click', (event) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
    const anchor = (event.target as Element | null)?.closest('a');
    const href = anchor?.getAttribute('href');
    if (anchor === null || anchor === undefined || href === null || href === undefined) return;
    if (!href.startsWith('/') || href.startsWith('/api/') || anchor.hasAttribute('download')) return;
    event.preventDefault();
    navigate(href);
  });
}
