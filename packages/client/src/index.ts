export { runTests, type RunTestsOptions } from './run/run-tests.js';
export { startTests, type TestRun } from './run/start-tests.js';
export type { RunEvent, RunResult } from './run/run-on-server.js';
export type { RunRequest } from './run/run-request.js';
export { discoverFiles, type DiscoveryOptions } from './discovery/discover-files.js';
export { EXIT, type ExitCode } from './exit-codes.js';
export { CLIENT_VERSION } from './version.js';
export { scanWorkspace, ALWAYS_IGNORED, type ScannedWorkspace } from './sync/scan-workspace.js';
export type { SyncOutcome } from './sync/sync-workspace.js';
