import type { ContainerRequest, PullPolicy } from '@baleen/protocol';

/** What a client asks a server to run: the `run` message without its protocol envelope. */
export interface RunRequest {
  image: string;
  files: string[];
  command: string[];
  workDir?: string;
  timeoutSeconds: number;
  concurrency: number;
  env: Record<string, string>;
  beforeCommand?: string;
  maxOutputBytes?: number;
  retries?: number;
  failFast?: boolean;
  cucumberMessages?: boolean;
  container?: ContainerRequest;
  pull?: PullPolicy;
  prepare?: string;
}
