import {
  BaleenError,
  PROTOCOL_VERSION,
  type LastFailedAnswerMessage,
  type LastFailedQueryMessage,
} from '@baleen/protocol';
import { ServerConnection } from '../connection/server-connection.js';
import { CLIENT_VERSION } from '../version.js';

export interface LastFailedSource {
  /** A shared server: asked over the protocol (it answers about this token's own runs only). */
  server?: string;
  token?: string;
  ca?: Buffer;
  /** Without `server`: the project's history file, read here. */
  historyFile: string;
  image: string;
  suite?: string;
}

const QUERY_REF = 'last-failed-1';

/** What did not pass in the suite's previous run: from the shared server, else from the project's history. */
export async function askLastFailed(source: LastFailedSource): Promise<LastFailedAnswerMessage> {
  const query: LastFailedQueryMessage = {
    type: 'last-failed-query',
    queryRef: QUERY_REF,
    image: source.image,
    ...(source.suite === undefined ? {} : { suite: source.suite }),
  };
  if (source.server === undefined) {
    const { lastFailedOfFile } = await import('@baleen/server');
    return lastFailedOfFile(source.historyFile, query);
  }
  const connection = await ServerConnection.open(source.server, {
    ...(source.token === undefined ? {} : { token: source.token }),
    ...(source.ca === undefined ? {} : { ca: source.ca }),
  });
  try {
    connection.send({
      type: 'hello',
      protocolVersion: PROTOCOL_VERSION,
      client: { name: 'baleen', version: CLIENT_VERSION },
    });
    connection.send(query);
    for (;;) {
      const message = await connection.next();
      if (message.type === 'last-failed-answer' && message.queryRef === QUERY_REF) return message;
      if (message.type === 'error') {
        // A server from before --last-failed refuses the message type it does not know.
        const older = message.code === 'INVALID_MESSAGE' && message.message.includes('last-failed-query');
        throw new BaleenError(
          message.code,
          older
            ? `the server at ${source.server} does not answer --last-failed (an older baleen-server): upgrade it`
            : `the server at ${source.server} could not say what failed last: ${message.message}`,
        );
      }
    }
  } finally {
    connection.close();
  }
}
