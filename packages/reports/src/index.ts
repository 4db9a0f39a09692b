export { mergeMessageStreams, parseEnvelopes, type FileMessages } from './merge-messages.js';
export { combineChunkStreams } from './combine-chunks.js';
export { writeHtmlReport, writeJunitReport, writeMessagesReport } from './write-reports.js';
export type { MissingScenarios } from './supplement-missing.js';
