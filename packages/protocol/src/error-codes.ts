/** Stable, machine-readable codes carried by `error` messages and by `BaleenError`. */
export const ERROR_CODES = [
  // Frames and protocol
  'BAD_FRAME',
  'INVALID_MESSAGE',
  'HELLO_REQUIRED',
  'PROTOCOL_VERSION_MISMATCH',
  'UNKNOWN_RUN',
  'DUPLICATE_RUN_REF',
  // Engine and images
  'DOCKER_UNREACHABLE',
  'IMAGE_NOT_FOUND',
  'CONTAINER_FAILED',
  'IMAGE_PULL_FAILED',
  'IMAGE_BUILD_FAILED',
  // Files
  'TIMED_OUT',
  'CANCELLED',
  'INCOMPLETE',
  'OUT_OF_MEMORY',
  // cucumber in the container
  'CUCUMBER_NOT_FOUND',
  'CUCUMBER_TOO_OLD',
  'CUCUMBER_UNSUPPORTED',
  'RUNNER_FAILED',
  'CHANNEL_BROKEN',
  'SCENARIOS_MISSING',
  'HOOK_FAILED',
  // Stages
  'PREPARE_FAILED',
  // Runs
  'RUN_REJECTED',
  'SYNC_REJECTED',
  'SERVER_SHUTTING_DOWN',
  // Client side
  'USAGE',
  'NO_FILES_FOUND',
  'NO_SCENARIOS',
  'CONFIG_INVALID',
  'SERVER_UNREACHABLE',
  'AUTH_FAILED',
  'CONNECTION_LOST',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];
