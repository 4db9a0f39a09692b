export { startServer, type RunningServer } from './server/baleen-server.js';
export { startEmbeddedServer, buildImageOnLocalEngine, type EmbeddedServerOptions } from './server/embedded-server.js';
export { DEFAULT_HOST, DEFAULT_PORT, defaultCapacity, type ServerOptions } from './server/server-options.js';
export { createLogger, silentLogger, type Logger } from './log/logger.js';
export {
  DEFAULT_CONTAINER_LIMITS,
  type ContainerBackend,
  type ContainerLimits,
  type ContainerSettings,
  type ContainerSpec,
  type ContainerOutcome,
  type RunContainerOptions,
} from './backend/container-backend.js';
export { OPEN_POLICY, STRICT_POLICY, resolveContainer, type ContainerPolicy } from './server/container-policy.js';
export { TokenStore } from './auth/token-store.js';
export { isLoopback } from './server/baleen-server.js';
export { DockerBackend, describeDockerEngine } from './backend/docker/docker-backend.js';
export { SwarmBackend } from './backend/swarm/swarm-backend.js';
export type { BuildImageOptions } from './backend/docker/build-image.js';
export { LABELS } from './backend/container-labels.js';
export { SERVER_VERSION } from './server/version.js';
export { lastFailedOfFile } from './history/last-failed-of-file.js';
