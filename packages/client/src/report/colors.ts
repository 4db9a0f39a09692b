import pc from 'picocolors';

export type Colors = ReturnType<typeof pc.createColors>;

/**
 * Colour only on a terminal that can show it: never when NO_COLOR is set (https://no-color.org) or on TERM=dumb;
 * FORCE_COLOR forces it.
 */
export function colorsFor(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): Colors {
  const forced = env['FORCE_COLOR'] !== undefined && env['FORCE_COLOR'] !== '0';
  const disabled = env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '';
  return pc.createColors(!disabled && (forced || (stream.isTTY && !isDumbTerminal(env))));
}

/** A terminal that cannot move the cursor: live redrawing would print escape codes as text. */
export function isDumbTerminal(env: NodeJS.ProcessEnv = process.env): boolean {
  return env['TERM'] === 'dumb';
}

/** How wide the output may be: the terminal's width, or COLUMNS, or no limit (a pipe, a file). */
export function outputWidth(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): number | undefined {
  if (stream.isTTY && stream.columns > 0) return stream.columns;
  const columns = Number(env['COLUMNS']);
  return Number.isInteger(columns) && columns > 0 ? columns : undefined;
}
