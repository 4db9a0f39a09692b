import type { ScenarioStatus, StatusCounts } from '@baleen/protocol';

export function emptyCounts(): StatusCounts {
  return { passed: 0, failed: 0, pending: 0, undefined: 0, ambiguous: 0, skipped: 0, unknown: 0, unfinished: 0 };
}

/** cucumber's ordering of step results, least to most severe (getWorstTestStepResult). */
const SEVERITY: readonly ScenarioStatus[] = [
  'unknown',
  'passed',
  'skipped',
  'pending',
  'undefined',
  'ambiguous',
  'failed',
];

export function worstStatus(statuses: readonly ScenarioStatus[]): ScenarioStatus {
  let worst: ScenarioStatus = 'unknown';
  for (const status of statuses) if (SEVERITY.indexOf(status) > SEVERITY.indexOf(worst)) worst = status;
  return worst;
}

export function toScenarioStatus(raw: unknown): ScenarioStatus {
  const status = typeof raw === 'string' ? raw.toLowerCase() : 'unknown';
  return (SEVERITY as readonly string[]).includes(status) ? (status as ScenarioStatus) : 'unknown';
}
