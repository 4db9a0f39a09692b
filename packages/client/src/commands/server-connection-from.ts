import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { BaleenError } from '@baleen/protocol';
import type { TestOptions } from './test-options.js';

/** Where a run goes and how it gets in: the same for the run itself and for --last-failed's question. */
export interface ServerConnectionOptions {
  /** ws(s):// URL of a shared server; absent: the embedded one. */
  server?: string;
  token?: string;
  ca?: Buffer;
  /** The project's history file (the embedded server's), absolute. */
  historyFile: string;
}

/** --server, --token (else BALEEN_TOKEN), --ca read now, and --history resolved against the project. */
export async function serverConnectionFrom(
  options: Pick<TestOptions, 'server' | 'token' | 'ca' | 'history'>,
  cwd: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ServerConnectionOptions> {
  const token = options.token ?? env['BALEEN_TOKEN'];
  return {
    ...(options.server === undefined ? {} : { server: options.server }),
    ...(token === undefined || token === '' ? {} : { token }),
    ...(options.ca === undefined ? {} : { ca: await readCa(path.resolve(cwd, options.ca), options.ca) }),
    historyFile: path.resolve(cwd, options.history),
  };
}

async function readCa(file: string, given: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new BaleenError(
      'USAGE',
      `--ca ${given}: cannot read it (${code}) — give the PEM file of the CA that signed the server's certificate`,
    );
  }
}
