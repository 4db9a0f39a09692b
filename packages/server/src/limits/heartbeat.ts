import { randomBytes } from 'node:crypto';
import type { WebSocket } from 'ws';

/**
 * Pings the peer every `intervalMs` with a fresh random payload; a peer that has not answered the last ping with
 * that payload by the next is gone (killed, network lost, or not reading). Only an answer to the server's own
 * ping counts: a pong the peer sends unasked, or with another payload, keeps nothing alive.
 */
export function startHeartbeat(socket: WebSocket, intervalMs: number, onMissed: () => void): () => void {
  let expected: Buffer | undefined;
  let answered = true;
  const onPong = (data: Buffer): void => {
    if (expected !== undefined && data.equals(expected)) answered = true;
  };
  socket.on('pong', onPong);
  const timer = setInterval(() => {
    if (!answered) {
      stop();
      onMissed();
      return;
    }
    answered = false;
    expected = randomBytes(16);
    socket.ping(expected);
  }, intervalMs);
  timer.unref();
  const stop = (): void => {
    clearInterval(timer);
    socket.off('pong', onPong);
  };
  return stop;
}
