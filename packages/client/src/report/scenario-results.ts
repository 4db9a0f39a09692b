import type { ScenarioFinishedMessage } from '@baleen/protocol';
import type { RunEvent } from '../run/run-on-server.js';

/**
 * Each file's scenarios as its latest attempt left them, gathered from the live events: what CI annotations and
 * the OpenTelemetry export need per scenario. A split file's chunks each add their own scenarios.
 */
export class ScenarioResults {
  readonly #byFile = new Map<number, Map<string, ScenarioFinishedMessage>>();

  onEvent(event: RunEvent): void {
    if (event.type !== 'scenario-finished') return;
    const message = event.message;
    const scenarios = this.#byFile.get(message.fileIndex) ?? new Map<string, ScenarioFinishedMessage>();
    const key = `${message.uri}:${message.line ?? ''}:${message.name}`;
    const earlier = scenarios.get(key);
    // A retry reruns the whole file (or chunk): its results replace the earlier attempt's.
    if (earlier === undefined || earlier.attempt <= message.attempt) scenarios.set(key, message);
    this.#byFile.set(message.fileIndex, scenarios);
  }

  /** The file's scenarios, by line, each as its latest attempt ended. */
  of(fileIndex: number): ScenarioFinishedMessage[] {
    // Not filtered by attempt: a split file retries only its failed chunks, so its latest results differ in attempt.
    return [...(this.#byFile.get(fileIndex)?.values() ?? [])].sort(
      (a, b) => (a.line ?? 0) - (b.line ?? 0) || a.name.localeCompare(b.name),
    );
  }
}
