import { createHash, randomBytes, type Hash } from 'node:crypto';
import { link, open, rm, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { BaleenError } from '@baleen/protocol';

/** Read back in these pieces when the upload is verified. */
const VERIFY_CHUNK_BYTES = 1024 * 1024;

/** How an upload ended: a new blob in the store, or one that was already there (and is left as it was). */
export type CommitOutcome = 'stored' | 'already-stored';

/**
 * One upload of one blob, as a registry or Bazel's remote cache takes it: into a temporary file of its own
 * (random name, created exclusively, in a folder only this server can reach), written at the offsets the server
 * counts, then read back through the same handle and hashed, made read-only and linked under its hash with no
 * replace — a blob already stored is never overwritten, and no writer ever holds a handle on a stored blob.
 */
export class BlobUpload {
  #received = 0;
  #finished = false;
  readonly #digest: Hash = createHash('sha256');

  private constructor(
    readonly hash: string,
    readonly expectedBytes: number,
    private readonly file: FileHandle,
    private readonly tempPath: string,
  ) {}

  static async begin(incomingDir: string, hash: string, expectedBytes: number): Promise<BlobUpload> {
    const tempPath = path.join(incomingDir, `${hash.slice(0, 16)}.${randomBytes(12).toString('hex')}.part`);
    // 'wx+': O_CREAT | O_EXCL, read and write — never an existing file, never one another upload has open.
    const file = await open(tempPath, 'wx+', 0o600);
    return new BlobUpload(hash, expectedBytes, file, tempPath);
  }

  get received(): number {
    return this.#received;
  }

  async write(bytes: Buffer): Promise<void> {
    if (this.#received + bytes.length > this.expectedBytes) {
      throw new BaleenError(
        'SYNC_REJECTED',
        `blob ${this.hash.slice(0, 12)} is longer than the ${this.expectedBytes} bytes announced`,
      );
    }
    let written = 0;
    while (written < bytes.length) {
      const { bytesWritten } = await this.file.write(bytes, written, bytes.length - written, this.#received + written);
      written += bytesWritten;
    }
    this.#digest.update(bytes);
    this.#received += bytes.length;
  }

  /**
   * Checks the upload (size and hash of the bytes received, then of the file as written, read back through this
   * upload's own handle) and links it in as `finalPath` unless a blob is already there.
   */
  async commit(finalPath: string): Promise<{ outcome: CommitOutcome; size: number }> {
    this.#finished = true;
    try {
      const mismatch = (): BaleenError =>
        new BaleenError(
          'SYNC_REJECTED',
          `blob ${this.hash.slice(0, 12)}: its contents do not match its hash or the ${this.expectedBytes} bytes announced`,
        );
      if (this.#received !== this.expectedBytes || this.#digest.digest('hex') !== this.hash) throw mismatch();
      const { size } = await this.file.stat();
      if (size !== this.expectedBytes || (await this.#hashOfFile(size)) !== this.hash) throw mismatch();
      await this.file.chmod(0o444);
      await this.file.close();
      try {
        await link(this.tempPath, finalPath);
        return { outcome: 'stored', size };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') return { outcome: 'already-stored', size };
        throw error;
      }
    } finally {
      await this.#discard();
    }
  }

  /** Drops the upload and its temporary file. Safe to call twice, and after commit. */
  async abort(): Promise<void> {
    this.#finished = true;
    await this.#discard();
  }

  get finished(): boolean {
    return this.#finished;
  }

  async #hashOfFile(size: number): Promise<string> {
    const digest = createHash('sha256');
    const buffer = Buffer.allocUnsafe(Math.min(VERIFY_CHUNK_BYTES, Math.max(size, 1)));
    let position = 0;
    while (position < size) {
      const { bytesRead } = await this.file.read(buffer, 0, Math.min(buffer.length, size - position), position);
      if (bytesRead === 0) break;
      digest.update(buffer.subarray(0, bytesRead));
      position += bytesRead;
    }
    return digest.digest('hex');
  }

  async #discard(): Promise<void> {
    await this.file.close().catch(() => undefined);
    await rm(this.tempPath, { force: true });
  }
}
