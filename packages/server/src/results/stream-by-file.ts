import type { ChannelMessage } from '../cucumber/channel-decoder.js';

/** Envelopes kept per file for the client's merged reports; past this a file's stream is marked truncated. */
export const MAX_MESSAGES_BYTES = 32 * 1024 * 1024;

/** Envelopes every file's stream needs: the run's own, and the support code all its scenarios share. */
const SHARED = new Set([
  'meta',
  'testRunStarted',
  'testRunFinished',
  'stepDefinition',
  'hook',
  'parameterType',
  'undefinedParameterType',
  'testRunHookStarted',
  'testRunHookFinished',
]);

interface Kept {
  lines: string[];
  bytes: number;
  truncated: boolean;
}

/**
 * Keeps a cucumber message stream as one stream per feature file, each valid on its own, as if that file had run
 * alone: its source, document, pickles and test cases, and the run's shared envelopes. A container that runs
 * several files (a pack) is then reported file by file, like any other.
 */
export class StreamByFile {
  readonly #kept = new Map<string, Kept>();
  /** pickle, test case, test case attempt and pickle step ids to the file they belong to. */
  readonly #owner = new Map<string, string>();

  constructor(files: readonly string[]) {
    for (const file of files) this.#kept.set(file, { lines: [], bytes: 0, truncated: false });
  }

  add(envelope: ChannelMessage, json: string): void {
    const [kind, body] = Object.entries(envelope)[0] ?? [];
    if (kind === undefined || typeof body !== 'object' || body === null) return;
    const only = this.#kept.size === 1 ? [...this.#kept.keys()] : this.#filesOf(kind, body as Record<string, unknown>);
    for (const file of only) this.#keep(file, json);
  }

  /** One file's envelopes as NDJSON, or undefined when it has none. */
  streamOf(file: string): { ndjson: string; truncated: boolean } | undefined {
    const kept = this.#kept.get(file);
    if (kept === undefined || kept.lines.length === 0) return undefined;
    return { ndjson: `${kept.lines.join('\n')}\n`, truncated: kept.truncated };
  }

  #keep(file: string, json: string): void {
    const kept = this.#kept.get(file);
    if (kept === undefined) return;
    if (kept.bytes + json.length > MAX_MESSAGES_BYTES) {
      kept.truncated = true;
      return;
    }
    kept.lines.push(json);
    kept.bytes += json.length + 1;
  }

  /** The files an envelope belongs to: one, by its uri or the id it refers to; all, when it is shared. */
  #filesOf(kind: string, body: Record<string, unknown>): string[] {
    const all = [...this.#kept.keys()];
    if (SHARED.has(kind)) return all;
    const text = (key: string): string => (typeof body[key] === 'string' ? body[key] : '');
    let owner: string | undefined;
    switch (kind) {
      case 'source':
      case 'gherkinDocument':
        owner = text('uri');
        break;
      case 'parseError':
        owner = (body['source'] as { uri?: string } | undefined)?.uri;
        break;
      case 'pickle':
        owner = text('uri');
        this.#owner.set(text('id'), owner);
        for (const step of (body['steps'] as { id?: string }[] | undefined) ?? []) {
          if (typeof step.id === 'string') this.#owner.set(step.id, owner);
        }
        break;
      case 'testCase':
        owner = this.#owner.get(text('pickleId'));
        if (owner !== undefined) this.#owner.set(text('id'), owner);
        break;
      case 'testCaseStarted':
        owner = this.#owner.get(text('testCaseId'));
        if (owner !== undefined) this.#owner.set(text('id'), owner);
        break;
      case 'suggestion':
        owner = this.#owner.get(text('pickleStepId'));
        break;
      default:
        // testStepStarted/Finished, testCaseFinished, attachment: by the attempt they belong to; an attachment
        // of a BeforeAll/AfterAll hook belongs to every file.
        owner = this.#owner.get(text('testCaseStartedId'));
    }
    return owner === undefined || !this.#kept.has(owner) ? all : [owner];
  }
}
