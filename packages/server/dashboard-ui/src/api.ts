import { useEffect, useRef } from 'preact/hooks';
import type { DashboardEvent } from '../../src/dashboard/dashboard-api.js';

/** A dashboard API call; a 401 (the session ended: signed out, expired, token revoked) goes back to sign-in. */
export async function getJson<T>(path: string): Promise<T> {
  const response = await fetch(path, { credentials: 'same-origin', headers: { accept: 'application/json' } });
  if (response.status === 401) {
    window.location.assign(window.location.pathname + window.location.search);
    throw new Error('signed out');
  }
  if (!response.ok) {
    const body = (await response.json().catch(() => ({}))) as { error?: string };
    throw new Error(body.error ?? `${response.status} ${response.statusText}`);
  }
  return (await response.json()) as T;
}

export async function postJson(path: string): Promise<void> {
  const response = await fetch(path, {
    method: 'POST',
    credentials: 'same-origin',
    // A header a cross-site form cannot send: the server refuses a cancel without it.
    headers: { 'x-baleen-dashboard': '1' },
  });
  if (!response.ok) {
    const body = (await response.json().catch(() => ({}))) as { error?: string };
    throw new Error(body.error ?? `${response.status} ${response.statusText}`);
  }
}

/**
 * The server's event stream for this page (pushed, never polled). `onOpen` runs at every (re)connection, so a page
 * fetches its state again after a gap; `resync` (the stream fell behind) does the same.
 */
export function useEvents(query: string, onEvents: (events: DashboardEvent[]) => void, onOpen: () => void): void {
  const handlers = useRef({ onEvents, onOpen });
  handlers.current = { onEvents, onOpen };
  useEffect(() => {
    const source = new EventSource(`/api/events${query}`, { withCredentials: true });
    let opened = false;
    source.onopen = () => {
      // The first open follows the page's own fetch; later ones are reconnections that may have missed events.
      if (opened) handlers.current.onOpen();
      opened = true;
    };
    source.onmessage = (message: MessageEvent<string>) => {
      const events = JSON.parse(message.data) as DashboardEvent[];
      if (events.some((event) => event.type === 'resync')) handlers.current.onOpen();
      handlers.current.onEvents(events);
    };
    return () => source.close();
  }, [query]);
}
