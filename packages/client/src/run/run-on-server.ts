import {
  assertNever,
  BaleenError,
  PROTOCOL_VERSION,
  type FileFinishedMessage,
  type FileStartedMessage,
  type ScenarioFinishedMessage,
  type RunAcceptedMessage,
  type RunPlannedMessage,
  type RunQueuedMessage,
  type RunFinishedMessage,
  type ServerMessage,
  type StageFinishedMessage,
  type StageStartedMessage,
  type WelcomeMessage,
} from '@baleen/protocol';
import type { ServerConnection } from '../connection/server-connection.js';
import { CLIENT_VERSION } from '../version.js';
import type { RunRequest } from './run-request.js';
import type { ScannedWorkspace } from '../sync/scan-workspace.js';
import { syncWorkspace, type SyncOutcome } from '../sync/sync-workspace.js';
import { scenarioFrames } from './scenario-frames.js';

/** Live events of a run, in the order the server sent them. */
export type RunEvent =
  | { type: 'welcome'; message: WelcomeMessage }
  /** The workspace (--sync) is on the server: how much had to be sent. */
  | { type: 'workspace-synced'; outcome: SyncOutcome }
  | { type: 'run-accepted'; message: RunAcceptedMessage }
  /** What the server decided: order, history, packs, splits. */
  | { type: 'run-planned'; message: RunPlannedMessage }
  | { type: 'run-queued'; message: RunQueuedMessage }
  | { type: 'file-started'; message: FileStartedMessage }
  | { type: 'scenario-finished'; message: ScenarioFinishedMessage }
  | { type: 'stage-started'; message: StageStartedMessage }
  | { type: 'stage-finished'; message: StageFinishedMessage }
  /** Also for attempts that will be retried (`message.willRetry`). */
  | { type: 'file-finished'; message: FileFinishedMessage };

export interface RunResult {
  runId: string;
  welcome: WelcomeMessage;
  /** Each file's final result by index; a file the run never reached has none. */
  files: (FileFinishedMessage | undefined)[];
  /** Every attempt at each file, in order. */
  attempts: FileFinishedMessage[][];
  /**
   * cucumber's message stream (NDJSON) of each file's last attempt; a file split over several containers has one
   * stream per chunk (its latest run of each), merged by the reports.
   */
  messages: (string | string[] | undefined)[];
  /** What the server decided for the run. */
  planned?: RunPlannedMessage;
  /** The prepare stage's result, when the run had one. */
  prepare?: StageFinishedMessage;
  finished: RunFinishedMessage;
}

const RUN_REF = 'run-1';

function fromErrorMessage(message: Extract<ServerMessage, { type: 'error' }>): BaleenError {
  return new BaleenError(message.code, message.message);
}

/**
 * Speaks the protocol for one run on an open connection: hello, run, then events until run-finished. Aborting
 * `cancel` asks the server to cancel the run; the server answers with run-finished once its containers are gone.
 */
export async function runOnServer(
  connection: ServerConnection,
  request: RunRequest,
  onEvent: (event: RunEvent) => void,
  cancel: AbortSignal,
  workspace?: ScannedWorkspace,
): Promise<RunResult> {
  connection.send({
    type: 'hello',
    protocolVersion: PROTOCOL_VERSION,
    client: { name: 'baleen', version: CLIENT_VERSION },
  });
  const welcome = await connection.next();
  if (welcome.type === 'error') throw fromErrorMessage(welcome);
  if (welcome.type !== 'welcome')
    throw new BaleenError('INVALID_MESSAGE', `expected 'welcome' from the server, got '${welcome.type}'`);
  onEvent({ type: 'welcome', message: welcome });

  let sync: { treeHash: string } | undefined;
  if (workspace !== undefined) {
    const outcome = await syncWorkspace(connection, workspace);
    onEvent({ type: 'workspace-synced', outcome });
    sync = { treeHash: outcome.treeHash };
  }
  const { scenarios, ...run } = request;
  for (const frame of scenarioFrames(RUN_REF, scenarios ?? [])) connection.send(frame);
  connection.send({ type: 'run', runRef: RUN_REF, ...run, ...(sync === undefined ? {} : { sync }) });
  let runId: string | undefined;
  const files: (FileFinishedMessage | undefined)[] = new Array<FileFinishedMessage | undefined>(request.files.length);
  const attempts: FileFinishedMessage[][] = request.files.map(() => []);
  const messages: (string | string[] | undefined)[] = new Array<string | string[] | undefined>(request.files.length);
  const chunkStreams = new Map<number, Map<number, string>>();
  let planned: RunPlannedMessage | undefined;
  let prepare: StageFinishedMessage | undefined;
  const sendCancel = (): void => {
    if (runId !== undefined) connection.send({ type: 'cancel', runId, reason: 'cancelled by the user (Ctrl-C)' });
  };
  cancel.addEventListener('abort', sendCancel, { once: true });
  try {
    for (;;) {
      const message = await connection.next();
      switch (message.type) {
        case 'run-accepted':
          if (message.runRef !== RUN_REF) break;
          runId = message.runId;
          onEvent({ type: 'run-accepted', message });
          // A Ctrl-C that came before the server named the run is honoured now.
          if (cancel.aborted) sendCancel();
          break;
        case 'file-started':
          if (message.runId === runId) onEvent({ type: 'file-started', message });
          break;
        case 'file-finished':
          if (message.runId !== runId) break;
          attempts[message.fileIndex]?.push(message);
          if (message.willRetry !== true) files[message.fileIndex] = message;
          onEvent({ type: 'file-finished', message });
          break;
        case 'run-queued':
          if (message.runId === runId) onEvent({ type: 'run-queued', message });
          break;
        case 'scenario-finished':
          if (message.runId === runId) onEvent({ type: 'scenario-finished', message });
          break;
        case 'file-messages': {
          if (message.runId !== runId) break;
          // The last attempt's stream wins: merged reports describe how each file finally ended. A chunk's latest
          // run stands beside its file's other chunks.
          if (message.chunk === undefined) {
            messages[message.fileIndex] = message.ndjson;
            break;
          }
          const chunks = chunkStreams.get(message.fileIndex) ?? new Map<number, string>();
          chunks.set(message.chunk.part, message.ndjson);
          chunkStreams.set(message.fileIndex, chunks);
          messages[message.fileIndex] = [...chunks.entries()].sort(([a], [b]) => a - b).map(([, ndjson]) => ndjson);
          break;
        }
        case 'run-planned':
          if (message.runId !== runId) break;
          planned = message;
          onEvent({ type: 'run-planned', message });
          break;
        case 'stage-started':
          if (message.runId === runId) onEvent({ type: 'stage-started', message });
          break;
        case 'stage-finished':
          if (message.runId !== runId) break;
          prepare = message;
          onEvent({ type: 'stage-finished', message });
          break;
        case 'run-finished':
          if (runId === undefined || message.runId !== runId) break;
          return {
            runId,
            welcome,
            files,
            attempts,
            messages,
            ...(planned === undefined ? {} : { planned }),
            ...(prepare === undefined ? {} : { prepare }),
            finished: message,
          };
        case 'error':
          if (
            message.runRef === RUN_REF ||
            message.runId === runId ||
            (message.runRef === undefined && message.runId === undefined)
          ) {
            throw fromErrorMessage(message);
          }
          break;
        // The sync exchange is over before the run starts (syncWorkspace reads it); a late one means nothing now.
        case 'welcome':
        case 'sync-wanted':
        case 'sync-progress':
        case 'sync-ready':
        case 'last-failed-answer':
          break;
        default:
          assertNever(message, 'server message');
      }
    }
  } finally {
    cancel.removeEventListener('abort', sendCancel);
  }
}
