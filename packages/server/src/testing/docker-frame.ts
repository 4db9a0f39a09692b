/**
 * One frame of Docker's multiplexed attach stream (Tty: false), as the engine sends it: an 8-byte header (stream
 * type — 0 stdin, 1 stdout, 2 stderr — three zero bytes, big-endian payload length) and the text as UTF-8.
 */
export function frame(type: number, text: string): Buffer {
  const payload = Buffer.from(text);
  const header = Buffer.alloc(8);
  header.writeUInt8(type, 0);
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}
