/**
 * The run's page on the server's dashboard: the path the server gave, at the server's own http(s) address — never
 * another host, whatever the path says.
 */
export function dashboardLink(server: string | undefined, dashboardPath: string | undefined): string | undefined {
  if (server === undefined || dashboardPath === undefined) return undefined;
  try {
    const base = new URL(server.replace(/^ws(s?):/i, 'http$1:'));
    const url = new URL(dashboardPath, base);
    return url.origin === base.origin ? url.href : undefined;
  } catch {
    return undefined;
  }
}
