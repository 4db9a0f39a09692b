/**
 * The last `maxChars` of a running file's output, for the dashboard's live tail. A ring of chunks: appending
 * drops whole chunks from the front (and cuts the oldest one kept), so memory stays bounded whatever the container
 * writes, and nothing is copied per write but the chunk itself.
 */
export class OutputTail {
  readonly #chunks: string[] = [];
  #chars = 0;
  #dropped = 0;
  #version = 0;

  constructor(readonly maxChars: number) {}

  append(text: string): void {
    if (text.length === 0) return;
    const kept = text.length > this.maxChars ? text.slice(text.length - this.maxChars) : text;
    this.#dropped += text.length - kept.length;
    this.#chunks.push(kept);
    this.#chars += kept.length;
    while (this.#chars > this.maxChars) {
      const first = this.#chunks[0] ?? '';
      const excess = this.#chars - this.maxChars;
      if (first.length <= excess) {
        this.#chunks.shift();
        this.#chars -= first.length;
        this.#dropped += first.length;
      } else {
        this.#chunks[0] = first.slice(excess);
        this.#chars -= excess;
        this.#dropped += excess;
      }
    }
    this.#version += 1;
  }

  /** Changes with every append: lets a reader tell whether there is anything new. */
  get version(): number {
    return this.#version;
  }

  get droppedChars(): number {
    return this.#dropped;
  }

  text(): string {
    if (this.#chunks.length > 1) this.#chunks.splice(0, this.#chunks.length, this.#chunks.join(''));
    return this.#chunks[0] ?? '';
  }
}
