export { PROTOCOL_VERSION } from './version.js';
export { ERROR_CODES, type ErrorCode } from './error-codes.js';
export {
  FILE_STATUSES,
  RUN_STATUSES,
  SCENARIO_STATUSES,
  type FileStatus,
  type RunStatus,
  type ScenarioStatus,
} from './file-status.js';
export * from './limits.js';
export * from './client-messages.js';
export * from './server-messages.js';
export * from './codec.js';
export { BaleenError, isBaleenError } from './baleen-error.js';
export { assertNever } from './assert-never.js';
export { CUCUMBER_ENVELOPE_TYPES } from './cucumber-envelopes.js';
export * from './container-request.js';
export * from './sync-messages.js';
export { isSafeRelativePath, symlinkInsideTree } from './tree-paths.js';
export * from './cucumber-run.js';
export { symlinkChainProblems } from './symlink-chains.js';
export * from './image-reference.js';
export * from './last-failed.js';
export { TRACEPARENT_PATTERN } from './trace-context.js';
