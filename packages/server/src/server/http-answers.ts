import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ContainerBackend } from '../backend/container-backend.js';
import type { ServerMetrics } from '../metrics/server-metrics.js';
import type { CapacityGate } from '../scheduler/capacity-gate.js';

/** What plain HTTP on the server's port can see. */
export interface HttpContext {
  /** Asked only of a request for /metrics: it counts a wrong token against its address. */
  mayReadMetrics: () => boolean;
  serverId: string;
  backend: ContainerBackend;
  gate: CapacityGate;
  metrics: ServerMetrics;
  runs: () => number;
}

/**
 * Plain HTTP beside the WebSocket (the dashboard's routes come first): `/healthz` for load balancers and the
 * engine's reachability, `/metrics` for Prometheus (behind a token unless --public-metrics), and a hint for anything
 * else that Baleen speaks WebSocket here.
 */
export async function answerHttp(
  request: IncomingMessage,
  response: ServerResponse,
  context: HttpContext,
): Promise<void> {
  if (request.method === 'GET' && request.url === '/healthz') {
    const engine = await context.backend.ping().then(
      () => ({ reachable: true }),
      (error: unknown) => ({ reachable: false, error: error instanceof Error ? error.message : String(error) }),
    );
    const { gate } = context;
    response.writeHead(engine.reachable ? 200 : 503, { 'content-type': 'application/json' });
    response.end(
      JSON.stringify({
        status: engine.reachable ? 'ok' : 'engine-unreachable',
        serverId: context.serverId,
        engine: { address: context.backend.engine, ...engine },
        capacity: gate.capacity,
        inUse: gate.inUse,
        queued: context.metrics.queuedFiles,
        runs: context.runs(),
      }),
    );
    return;
  }
  if (request.method === 'GET' && request.url === '/metrics') {
    if (!context.mayReadMetrics()) {
      // What runs, how many and how they end is the operator's to see: behind a token unless --public-metrics.
      response.writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': 'Bearer' });
      response.end(
        '/metrics needs a token (Authorization: Bearer ...) on this server, or baleen-server --public-metrics\n',
      );
      return;
    }
    response.writeHead(200, { 'content-type': context.metrics.registry.contentType });
    response.end(await context.metrics.registry.metrics());
    return;
  }
  response.writeHead(426, { 'content-type': 'text/plain', upgrade: 'websocket' });
  response.end(
    'Baleen speaks WebSocket here: connect with the baleen client (baleen cucumber --server ws://host:port)\n',
  );
}
