/** The engine's list filter for things carrying all these labels (`label=key=value`, one entry per label). */
export function labelFilter(labels: Record<string, string>): string {
  return JSON.stringify({ label: Object.entries(labels).map(([key, value]) => `${key}=${value}`) });
}
