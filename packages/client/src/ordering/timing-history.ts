import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * How long each file took, remembered next to the project (`.baleen/timings.json` under the directory baleen
 * runs from). Next to the project because that is what the paths are relative to: two projects can never mix,
 * whichever server ran them, and CI can cache or commit the file like any other build state. Entries are keyed
 * by image too, since the same file can take very different times in different images.
 */
export const DEFAULT_TIMINGS_FILE = '.baleen/timings.json';

interface TimingsFile {
  version: 1;
  /** image -> file -> milliseconds (smoothed) */
  images: Record<string, Record<string, number>>;
}

/** Weight of the newest measurement: a file's time follows change without jumping on one noisy run. */
const SMOOTHING = 0.5;

export class TimingHistory {
  private constructor(
    private readonly file: string,
    private readonly data: TimingsFile,
  ) {}

  static async load(file: string): Promise<TimingHistory> {
    try {
      const parsed = JSON.parse(await readFile(file, 'utf8')) as Partial<TimingsFile>;
      if (parsed.version === 1 && typeof parsed.images === 'object')
        return new TimingHistory(file, parsed as TimingsFile);
    } catch {
      // Missing or unreadable history: start afresh; it only affects order, never results.
    }
    return new TimingHistory(file, { version: 1, images: {} });
  }

  durationOf(image: string, file: string): number | undefined {
    return this.data.images[image]?.[file];
  }

  record(image: string, file: string, durationMs: number): void {
    const forImage = (this.data.images[image] ??= {});
    const previous = forImage[file];
    forImage[file] = Math.round(
      previous === undefined ? durationMs : SMOOTHING * durationMs + (1 - SMOOTHING) * previous,
    );
  }

  /** Written atomically, so a run killed mid-write never leaves a broken file. */
  async save(): Promise<void> {
    await mkdir(path.dirname(this.file), { recursive: true });
    const temporary = `${this.file}.${process.pid}.tmp`;
    await writeFile(temporary, `${JSON.stringify(this.data, null, 2)}\n`);
    await rename(temporary, this.file);
  }
}
