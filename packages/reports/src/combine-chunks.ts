// One message stream for a feature file that ran split over several containers (each a chunk of its scenarios),
// as if one cucumber-js had run the whole file. Every chunk parsed the whole file and so has the file's source,
// document and pickles under ids of its own; the first chunk's are kept, and each other chunk's test cases are
// pointed at the first chunk's pickle of the same line. Everything else (support code, test cases, their runs) is
// kept from every chunk: cucumber's ids are UUIDs, distinct across processes. One testRunStarted (the earliest)
// and one testRunFinished (the latest; success when every chunk succeeded) frame the whole.
/* eslint-disable @typescript-eslint/no-unsafe-class-instance-assignment, @typescript-eslint/no-misused-spread --
   @cucumber/messages declares its messages as classes; here they are plain JSON objects. */
import type { Envelope, Timestamp } from '@cucumber/messages';
import { parseEnvelopes } from './merge-messages.js';
import { pickleLines } from './supplement-missing.js';

const DEFINED_ONCE = new Set(['meta', 'source', 'gherkinDocument', 'pickle', 'testRunStarted', 'testRunFinished']);

export function combineChunkStreams(chunks: readonly string[]): string {
  const streams = chunks.map(parseEnvelopes);
  const [first, ...others] = streams;
  if (first === undefined) return '';
  const firstPickles = new Map(
    first.flatMap((envelope) =>
      envelope.pickle === undefined ? [] : [[envelope.pickle.id, envelope.pickle] as const],
    ),
  );
  const firstPickleByLine = new Map<number, string>();
  for (const [pickleId, line] of pickleLines(first)) firstPickleByLine.set(line, pickleId);

  const combined: Envelope[] = first.filter((envelope) => !isRunEnvelope(envelope));
  for (const stream of others) {
    const lines = pickleLines(stream);
    // This chunk's pickles and pickle steps to the first chunk's of the same line (the same scenario, parsed
    // again): step by step, in order.
    const pickleIds = new Map<string, string>();
    const stepIds = new Map<string, string>();
    for (const envelope of stream) {
      const pickle = envelope.pickle;
      if (pickle === undefined) continue;
      const line = lines.get(pickle.id);
      const same = line === undefined ? undefined : firstPickles.get(firstPickleByLine.get(line) ?? '');
      if (same === undefined) continue;
      pickleIds.set(pickle.id, same.id);
      pickle.steps.forEach((step, index) => {
        const sameStep = same.steps[index];
        if (sameStep !== undefined) stepIds.set(step.id, sameStep.id);
      });
    }
    for (const envelope of stream) {
      const type = Object.keys(envelope)[0] ?? '';
      if (DEFINED_ONCE.has(type)) continue;
      const testCase = envelope.testCase;
      if (testCase !== undefined) {
        combined.push({
          testCase: {
            ...testCase,
            pickleId: pickleIds.get(testCase.pickleId) ?? testCase.pickleId,
            testSteps: testCase.testSteps.map((step) =>
              step.pickleStepId === undefined
                ? step
                : { ...step, pickleStepId: stepIds.get(step.pickleStepId) ?? step.pickleStepId },
            ),
          },
        });
      } else if (envelope.suggestion !== undefined) {
        const suggestion = envelope.suggestion;
        combined.push({
          suggestion: { ...suggestion, pickleStepId: stepIds.get(suggestion.pickleStepId) ?? suggestion.pickleStepId },
        });
      } else combined.push(envelope);
    }
  }

  const starts = streams.flatMap((stream) => stream.flatMap((envelope) => envelope.testRunStarted ?? []));
  const ends = streams.flatMap((stream) => stream.flatMap((envelope) => envelope.testRunFinished ?? []));
  const earliest = starts.reduce<(typeof starts)[number] | undefined>(
    (best, start) => (best === undefined || compare(start.timestamp, best.timestamp) < 0 ? start : best),
    undefined,
  );
  const latest = ends.reduce<(typeof ends)[number] | undefined>(
    (best, end) => (best === undefined || compare(end.timestamp, best.timestamp) > 0 ? end : best),
    undefined,
  );
  const out: Envelope[] = [];
  const meta = first.find((envelope) => envelope.meta !== undefined);
  if (meta !== undefined) out.push(meta);
  // Definitions before the run starts, the rest after: the order a single stream has.
  const started = combined.findIndex((envelope) => isExecution(envelope));
  const definitions = started === -1 ? combined : combined.slice(0, started);
  const execution = started === -1 ? [] : combined.slice(started);
  out.push(...definitions.filter((envelope) => envelope.meta === undefined));
  if (earliest !== undefined) out.push({ testRunStarted: earliest });
  out.push(...execution);
  // A chunk that never finished leaves the whole without an end, as its own stream was (reports close it).
  if (latest !== undefined && ends.length === streams.length) {
    out.push({
      testRunFinished: { ...latest, success: ends.every((end) => end.success) },
    });
  }
  return `${out.map((envelope) => JSON.stringify(envelope)).join('\n')}\n`;
}

function isRunEnvelope(envelope: Envelope): boolean {
  return envelope.testRunStarted !== undefined || envelope.testRunFinished !== undefined;
}

function isExecution(envelope: Envelope): boolean {
  return (
    envelope.testCase !== undefined ||
    envelope.testCaseStarted !== undefined ||
    envelope.testStepStarted !== undefined ||
    envelope.testStepFinished !== undefined ||
    envelope.testCaseFinished !== undefined ||
    envelope.testRunHookStarted !== undefined ||
    envelope.testRunHookFinished !== undefined
  );
}

function compare(a: Timestamp, b: Timestamp): number {
  return a.seconds !== b.seconds ? a.seconds - b.seconds : a.nanos - b.nanos;
}
