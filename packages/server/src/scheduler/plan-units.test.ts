import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planUnits, type FileEstimate, type PlanUnitsInput } from './plan-units.js';

const files = ['a', 'b', 'c', 'd', 'e', 'f'];
const known = (entries: Record<string, [number, number?]>): Map<string, FileEstimate> =>
  new Map(Object.entries(entries).map(([file, [durationMs, startupMs]]) => [file, { durationMs, startupMs }]));

function plan(overrides: Partial<PlanUnitsInput>) {
  return planUnits({
    files,
    order: 'timing',
    seed: 1,
    estimates: new Map(),
    lines: files.map(() => undefined),
    scenarioEstimates: () => new Map(),
    slots: 2,
    packMs: undefined,
    split: false,
    ...overrides,
  });
}

const shape = (units: ReturnType<typeof planUnits>['units']) =>
  units.map((unit) =>
    unit.kind === 'file'
      ? files[unit.index]
      : unit.kind === 'pack'
        ? unit.indexes.map((i) => files[i]).join('+')
        : `${files[unit.index]}#${unit.part}/${unit.parts}:${unit.lines.join(',')}`,
  );

describe('planUnits', () => {
  it('orders longest first by history, unknown files first of all', () => {
    const result = plan({ estimates: known({ a: [1000], b: [5000], c: [3000], e: [2000] }) });
    assert.deepEqual(shape(result.units), ['d', 'f', 'b', 'c', 'e', 'a']);
    assert.equal(result.known, 4);
  });

  it('keeps the given order, and a seeded random order that the same seed repeats', () => {
    assert.deepEqual(shape(plan({ order: 'given', estimates: known({ f: [9000] }) }).units), files);
    const once = shape(plan({ order: 'random', seed: 42 }).units);
    assert.deepEqual(shape(plan({ order: 'random', seed: 42 }).units), once);
    assert.notDeepEqual(shape(plan({ order: 'random', seed: 43 }).units), once);
  });

  it('packs short files into containers of about --pack, start-up paid once, never fewer than the slots', () => {
    // Six files of 3 s, 2 s of which is start-up: 1 s of work each; a 4 s pack holds two (2 + 1 + 1).
    const estimates = known(Object.fromEntries(files.map((file) => [file, [3000, 2000]])));
    const result = plan({ estimates, packMs: 4000, slots: 2 });
    assert.equal(result.packs, 3);
    assert.equal(result.packedFiles, 6);
    assert.deepEqual(shape(result.units), ['a+b', 'c+d', 'e+f']);
    // A big --pack is capped at a fair share of the run, so both slots work.
    assert.equal(plan({ estimates, packMs: 600_000, slots: 2 }).units.length, 2);
  });

  it('counts what a file adds to a pack as its scenario time, not its container’s own overhead', () => {
    // 4 s files: 2 s start-up, 0.1 s of scenarios, the rest the container's own create, exit and removal.
    const estimates = new Map(files.map((file) => [file, { durationMs: 4000, startupMs: 2000, runMs: 100 }]));
    const result = plan({ estimates, packMs: 5000, slots: 2 });
    assert.deepEqual(shape(result.units), ['a+b+c', 'd+e+f']);
  });

  it('packs with --pack auto into one container per slot, balanced by history', () => {
    // 10 s of work (a, b 3 s each; c..f 1 s each) over 2 slots: 5 s of work and one 2 s start-up per container.
    const estimates = known({
      a: [5000, 2000],
      b: [5000, 2000],
      c: [3000, 2000],
      d: [3000, 2000],
      e: [3000, 2000],
      f: [3000, 2000],
    });
    const result = plan({ estimates, packMs: Number.POSITIVE_INFINITY, slots: 2 });
    assert.deepEqual(shape(result.units), ['a+c+d', 'b+e+f']);
    assert.equal(result.packs, 2);
  });

  it('packs files with no history at all into twice as many containers as slots', () => {
    const result = plan({ packMs: 30_000, slots: 2 });
    assert.deepEqual(shape(result.units), ['a+e', 'b+f', 'c', 'd']);
  });

  it('leaves a file longer than --pack in a container of its own', () => {
    const estimates = known({
      a: [20_000, 1000],
      b: [2000, 1000],
      c: [2000, 1000],
      d: [2000, 1000],
      e: [2000, 1000],
      f: [2000, 1000],
    });
    const result = plan({ estimates, packMs: 5000, slots: 2 });
    assert.deepEqual(shape(result.units)[0], 'a');
    assert.ok(result.packs >= 1);
  });

  it('splits a file that would be the critical path into chunks balanced by its scenarios’ history', () => {
    const estimates = known({ a: [20_000, 1000], b: [1000, 500], c: [1000, 500] });
    const lines = [[3, 10, 20, 30], undefined, undefined];
    const result = planUnits({
      files: ['a', 'b', 'c'],
      order: 'timing',
      seed: 1,
      estimates,
      lines,
      scenarioEstimates: () =>
        new Map([
          [3, 9000],
          [10, 5000],
          [20, 3000],
          [30, 2000],
        ]),
      slots: 3,
      packMs: undefined,
      split: true,
    });
    assert.deepEqual(result.splits, [{ index: 0, parts: 3 }]);
    const chunks = result.units.filter((unit) => unit.kind === 'chunk');
    assert.deepEqual(
      chunks.map((unit) => (unit.kind === 'chunk' ? unit.lines : [])),
      [[3], [10], [20, 30]],
    );
  });

  it('splits a file a little over a fair share when the run ends sooner by more than a start-up, not when less', () => {
    // The bench's skewed-split shape: one file of 10 × 2 s among 19 of 1–2 s, 4 slots, 1.1 s start-up.
    const many = Array.from({ length: 20 }, (_, i) => `f${i}`);
    const startup = 1100;
    const durations = many.map((_, i) => (i === 13 ? 20_000 : 1000 + (i % 2) * 1000) + startup);
    const input = (longMs: number): PlanUnitsInput => ({
      files: many,
      order: 'timing',
      seed: 1,
      estimates: new Map(
        many.map((file, i) => [file, { durationMs: i === 13 ? longMs : (durations[i] ?? 0), startupMs: startup }]),
      ),
      lines: many.map((_, i) => (i === 13 ? [3, 6, 9, 12, 15, 18, 21, 24, 27, 30] : undefined)),
      scenarioEstimates: () => new Map(),
      slots: 4,
      packMs: undefined,
      split: true,
    });
    // 20.5 s against a fair share of 17.4 s (the old rule, 1.2 × fair share, left it whole): cut in 2, the run can end near
    // its fair share.
    assert.deepEqual(planUnits(input(20_500)).splits, [{ index: 13, parts: 2 }]);
    // Just over a fair share: a cut would save less than the start-up it adds.
    const fair = (durations.reduce((sum, ms, i) => sum + (i === 13 ? 0 : ms), 0) + 17_000) / 4;
    assert.ok(17_000 > fair, `the file is over its fair share (${fair} ms)`);
    assert.deepEqual(planUnits(input(17_000)).splits, []);
  });

  it('does not split without history, with one scenario, or when told not to', () => {
    const lines = files.map(() => [1, 2, 3]);
    assert.deepEqual(plan({ lines, split: true }).splits, []);
    assert.deepEqual(plan({ estimates: known({ a: [60_000] }), lines: files.map(() => [1]), split: true }).splits, []);
    assert.deepEqual(plan({ estimates: known({ a: [60_000] }), lines, split: false }).splits, []);
  });
});
