/**
 * The frames of the runner's channel, written by Baleen's side: for tests, and the one place besides the runner
 * itself (in-container-runner.ts, which is shipped as text and keeps its own copy) that knows how a frame looks.
 */
export function encodeFrames(
  marker: string,
  messages: readonly unknown[],
  { chunkBytes = 4_000, firstSequence = 0 }: { chunkBytes?: number; firstSequence?: number } = {},
): { bytes: Buffer; nextSequence: number } {
  const frames: Buffer[] = [];
  let sequence = firstSequence;
  for (const message of messages) {
    const body = Buffer.from(JSON.stringify(message), 'utf8');
    for (let offset = 0; offset < body.length || offset === 0;) {
      let end = Math.min(offset + chunkBytes, body.length);
      // Between characters, as the runner cuts (see in-container-runner.ts).
      while (end < body.length && end > offset + 1 && ((body[end] ?? 0) & 0xc0) === 0x80) end -= 1;
      const last = end >= body.length;
      frames.push(Buffer.from(`${marker}${sequence}${last ? '=' : '+'}`, 'latin1'));
      frames.push(body.subarray(offset, end), Buffer.from('\n'));
      sequence += 1;
      if (last) break;
      offset = end;
    }
  }
  return { bytes: Buffer.concat(frames), nextSequence: sequence };
}

/** The runner's config (with its channel marker) from a container command made by cucumberRunnerCall. */
export function runnerConfigOf(argv: readonly string[]): { marker: string; targets: string[] } | undefined {
  if (argv[1] !== '-e') return undefined;
  try {
    return JSON.parse(argv[argv.indexOf('--') + 1] ?? '') as { marker: string; targets: string[] };
  } catch {
    return undefined;
  }
}
