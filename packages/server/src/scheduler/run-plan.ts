import type { PullPolicy } from '@baleen/protocol';
import type { ContainerSettings } from '../backend/container-backend.js';

/** A validated run, as the scheduler sees it: no protocol types, no defaults left to fill in. */
export interface RunPlan {
  runId: string;
  serverId: string;
  /** Who is served in turn with other owners when capacity is short (today: the run itself). */
  owner: string;
  image: string;
  files: readonly string[];
  command: readonly string[];
  workDir: string | undefined;
  timeoutMs: number;
  concurrency: number;
  env: Readonly<Record<string, string>>;
  beforeCommand: string | undefined;
  maxOutputBytes: number;
  retries: number;
  failFast: boolean;
  cucumberMessages: boolean;
  container: ContainerSettings;
  pull: PullPolicy;
  /** Shell script of the prepare stage, run once before any test container. */
  prepare: string | undefined;
  /** The synced workspace (--sync) as a tar stream, placed at the work dir of every container. */
  workspace?: () => NodeJS.ReadableStream;
}
