import type { RunOrder } from '@baleen/protocol';
import { shuffled } from './shuffle.js';

/** What one container runs: a file (the default), several files in one process (a pack), or part of a file. */
export type WorkUnit =
  | { kind: 'file'; index: number }
  | { kind: 'pack'; indexes: number[] }
  | { kind: 'chunk'; index: number; part: number; parts: number; lines: number[] };

/** What history says of a file: how long it took, and how much of that was start-up. */
export interface FileEstimate {
  durationMs: number;
  startupMs: number | undefined;
  /** The file's scenario time alone, when measured: what it adds to a pack. */
  runMs?: number;
}

export interface PlanUnitsInput {
  files: readonly string[];
  order: RunOrder;
  seed: number;
  /** By file path: what earlier runs of the suite say. */
  estimates: ReadonlyMap<string, FileEstimate>;
  /** Each file's scenario lines, when known (only those files can be split). */
  lines: readonly (readonly number[] | undefined)[];
  /** Past durations of a file's scenarios, by line. */
  scenarioEstimates: (file: string) => ReadonlyMap<number, number>;
  /** Containers of this run at once. */
  slots: number;
  /**
   * --pack: how long a pack of files should take; undefined: one container per file; Infinity (`--pack auto`):
   * as long as a fair share of the run, so about one pack per slot.
   */
  packMs: number | undefined;
  /** Split a file that would be the critical path into chunks of its scenarios. */
  split: boolean;
}

export interface UnitPlan {
  units: WorkUnit[];
  /** Files with a history. */
  known: number;
  packs: number;
  packedFiles: number;
  splits: { index: number; parts: number }[];
}

/** Start-up assumed for a file with no history of it, when its run must be weighed against one. */
const DEFAULT_STARTUP_MS = 1_000;
/** Duration assumed for a file with no history, next to files that have one: the typical known file. */
const median = (values: readonly number[]): number | undefined => {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

/**
 * Decides what each container runs, in what order. Pure, and synchronous, so it can be reasoned about and tested
 * by table. `timing`: longest first by history, unknown files first of all (they may be long), so the run ends on
 * short work and no slot idles behind one straggler. With history, a file longer than a fair share of the run is
 * split into chunks of its scenarios (balanced by their own history), and with --pack short files share a
 * container, about `packMs` each, so their start-up is paid once.
 */
export function planUnits(input: PlanUnitsInput): UnitPlan {
  const indexes = input.files.map((_, index) => index);
  const estimateOf = (index: number): FileEstimate | undefined => input.estimates.get(input.files[index] ?? '');
  const known = indexes.filter((index) => estimateOf(index) !== undefined).length;
  const typical = median(indexes.flatMap((index) => estimateOf(index)?.durationMs ?? [])) ?? 0;
  const expected = (index: number): number => estimateOf(index)?.durationMs ?? typical;

  let ordered: number[];
  switch (input.order) {
    case 'given':
      ordered = indexes;
      break;
    case 'random':
      ordered = shuffled(indexes, input.seed);
      break;
    case 'timing':
      ordered = [...indexes].sort((a, b) => {
        const ea = estimateOf(a)?.durationMs ?? Number.POSITIVE_INFINITY;
        const eb = estimateOf(b)?.durationMs ?? Number.POSITIVE_INFINITY;
        return eb - ea || a - b;
      });
      break;
  }

  const total = indexes.reduce((sum, index) => sum + expected(index), 0);
  const fairShare = total / Math.max(1, Math.min(input.slots, input.files.length));
  // Each unit keeps the place of its (first) file in the chosen order, and a weight for `timing`: unknown work
  // weighs most.
  const units: { unit: WorkUnit; place: number; weight: number }[] = [];
  const splits: UnitPlan['splits'] = [];
  const rest: { index: number; place: number }[] = [];
  for (const [place, index] of ordered.entries()) {
    const chunks = input.split ? chunksOf(index, input, fairShare) : undefined;
    if (chunks === undefined) {
      rest.push({ index, place });
      continue;
    }
    splits.push({ index, parts: chunks.length });
    for (const [part, chunk] of chunks.entries()) {
      const unit: WorkUnit = { kind: 'chunk', index, part: part + 1, parts: chunks.length, lines: chunk.lines };
      units.push({ unit, place, weight: chunk.ms });
    }
  }
  const weightOf = (index: number): number => estimateOf(index)?.durationMs ?? Number.POSITIVE_INFINITY;

  let packs = 0;
  let packedFiles = 0;
  if (input.packMs === undefined) {
    for (const { index, place } of rest) units.push({ unit: { kind: 'file', index }, place, weight: weightOf(index) });
  } else {
    // A pack never holds more than a fair share of the packed run (its work, and one start-up per slot), or
    // slots would idle at its end.
    const startupOf = (index: number): number => estimateOf(index)?.startupMs ?? DEFAULT_STARTUP_MS;
    // What a file adds to a pack: its scenario time when measured. Its duration less its start-up would also count
    // its container's own create, exit and removal, which a pack pays once, not per file.
    const ownOf = (index: number): number =>
      estimateOf(index)?.runMs ?? Math.max(0, expected(index) - startupOf(index));
    const work = rest.reduce((sum, { index }) => sum + ownOf(index), 0);
    // The longest start-up, so that a pack which begins with the slowest-loading file still holds its share.
    const startupAllowance = Math.max(DEFAULT_STARTUP_MS, ...rest.map(({ index }) => startupOf(index)));
    const slots = Math.max(1, Math.min(input.slots, rest.length));
    const capacity = Math.min(input.packMs, Math.max(work / slots + startupAllowance, 1));
    const bins: { members: { index: number; place: number }[]; ms: number }[] = [];
    // Nothing known of any file: as many packs as twice the slots, files dealt round robin — start-up paid a few
    // times, and some room to balance.
    const blind = known === 0;
    const blindPacks = Math.max(1, Math.min(rest.length, slots * 2));
    for (const [position, member] of rest.entries()) {
      if (blind) {
        const bin = bins[position % blindPacks];
        if (bin === undefined) bins.push({ members: [member], ms: 0 });
        else bin.members.push(member);
        continue;
      }
      const startup = startupOf(member.index);
      const own = ownOf(member.index);
      // First fit, in the run's order (longest first under `timing`): the start-up is paid once per bin.
      const bin = bins.find((candidate) => candidate.ms + own <= capacity);
      if (bin === undefined) bins.push({ members: [member], ms: startup + own });
      else {
        bin.members.push(member);
        bin.ms += own;
      }
    }
    for (const bin of bins) {
      const place = Math.min(...bin.members.map((member) => member.place));
      const weight = bin.members.some((member) => estimateOf(member.index) === undefined)
        ? Number.POSITIVE_INFINITY
        : bin.ms;
      const [only] = bin.members;
      if (bin.members.length === 1 && only !== undefined) {
        units.push({ unit: { kind: 'file', index: only.index }, place, weight });
      } else {
        packs += 1;
        packedFiles += bin.members.length;
        units.push({ unit: { kind: 'pack', indexes: bin.members.map((member) => member.index) }, place, weight });
      }
    }
  }

  units.sort((a, b) => (input.order === 'timing' ? b.weight - a.weight || a.place - b.place : a.place - b.place));
  return { units: units.map((entry) => entry.unit), known, packs, packedFiles, splits };
}

/**
 * A file's chunks when it would be the critical path: longer than a fair share of the run, with two or more
 * scenarios of known lines. Each chunk pays a start-up, so a file is cut only into as many chunks as bring it
 * down to about a fair share, and only when the run's predicted end — the longest chunk, or the fair share with
 * the added start-ups — comes earlier by more than a start-up (and 5% of the file); scenarios go to the least
 * loaded chunk, longest first.
 */
function chunksOf(
  index: number,
  input: PlanUnitsInput,
  fairShare: number,
): { lines: number[]; ms: number }[] | undefined {
  const file = input.files[index] ?? '';
  const estimate = input.estimates.get(file);
  const lines = input.lines[index];
  if (estimate === undefined || lines === undefined || lines.length < 2) return undefined;
  if (estimate.durationMs <= fairShare) return undefined;
  const startup = estimate.startupMs ?? DEFAULT_STARTUP_MS;
  const work = Math.max(0, estimate.durationMs - startup);
  const known = input.scenarioEstimates(file);
  const unknownShare = work / lines.length;
  const scenarios = lines
    .map((line) => ({ line, ms: known.get(line) ?? unknownShare }))
    .sort((a, b) => b.ms - a.ms || a.line - b.line);
  const longest = scenarios[0]?.ms ?? 0;
  const room = Math.max(fairShare - startup, longest, 1);
  const parts = Math.min(lines.length, Math.max(1, Math.ceil(work / room)), Math.max(1, input.slots));
  if (parts < 2) return undefined;
  const chunks = Array.from({ length: parts }, () => ({ lines: [] as number[], ms: startup }));
  for (const scenario of scenarios) {
    const lightest = chunks.reduce((best, chunk) => (chunk.ms < best.ms ? chunk : best));
    lightest.lines.push(scenario.line);
    lightest.ms += scenario.ms;
  }
  for (const chunk of chunks) chunk.lines.sort((a, b) => a - b);
  const used = chunks.filter((chunk) => chunk.lines.length > 0);
  // Before: a 1.2 × fair-share threshold, which left a 20 s file of a 17.7 s fair share whole (the bench's
  // skewed-split case ran 1.43x its bound); what counts is what the cut saves against what it costs.
  const predicted = Math.max(
    ...used.map((chunk) => chunk.ms),
    fairShare + ((used.length - 1) * startup) / Math.max(1, input.slots),
  );
  const saved = estimate.durationMs - predicted;
  return saved > Math.max(startup, estimate.durationMs * 0.05) ? used : undefined;
}
