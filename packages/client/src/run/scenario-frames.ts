import { MAX_SCENARIOS_PER_FRAME, type RunScenariosMessage } from '@baleen/protocol';
import type { PlannedFile } from './run-request.js';

/** Bytes of scenario entries per frame: far under the server's 1 MiB frame limit, whatever the names. */
const MAX_FRAME_BYTES = 256 * 1024;

/**
 * The run-scenarios frames that carry a run's expected scenarios ahead of its `run` message: as many as needed,
 * each under MAX_SCENARIOS_PER_FRAME entries and MAX_FRAME_BYTES; a long file spreads over several frames.
 */
export function scenarioFrames(runRef: string, planned: readonly (PlannedFile | undefined)[]): RunScenariosMessage[] {
  const frames: RunScenariosMessage[] = [];
  let files: RunScenariosMessage['files'] = [];
  let entries = 0;
  let bytes = 0;
  const flush = (): void => {
    if (files.length > 0) frames.push({ type: 'run-scenarios', runRef, files });
    files = [];
    entries = 0;
    bytes = 0;
  };
  planned.forEach((file, index) => {
    if (file === undefined) return;
    let current: RunScenariosMessage['files'][number] = {
      index,
      scenarios: [],
      ...(file.byLine ? { byLine: true } : {}),
    };
    files.push(current);
    entries += 1;
    for (const scenario of file.scenarios) {
      // JSON escapes a control character in six bytes: the bound holds whatever a name holds.
      const size = scenario.name.length * 6 + 32;
      if (entries >= MAX_SCENARIOS_PER_FRAME || bytes + size > MAX_FRAME_BYTES) {
        flush();
        current = { index, scenarios: [], ...(file.byLine ? { byLine: true } : {}) };
        files.push(current);
        entries = 1;
      }
      current.scenarios.push(scenario);
      entries += 1;
      bytes += size;
    }
  });
  flush();
  return frames;
}
