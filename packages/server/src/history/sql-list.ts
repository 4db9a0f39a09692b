/** A set of our own constant names (statuses) as an SQL list, `('passed', 'failed')`: never user input. */
export function sqlList(values: ReadonlySet<string>): string {
  return `(${[...values].map((value) => `'${value}'`).join(', ')})`;
}
