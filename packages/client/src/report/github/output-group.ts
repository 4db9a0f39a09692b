import { randomBytes } from 'node:crypto';
import { escapeData } from './workflow-commands.js';

/**
 * A file's output folded in the log under `title`. The test's own output is untrusted text: between
 * `::stop-commands::` and its random end token the runner runs none of the workflow commands it may print
 * (`::add-mask::`, `::error::`...), so a test cannot forge annotations or mask the log.
 */
export function outputGroup(title: string, body: string): string {
  const token = `baleen-${randomBytes(8).toString('hex')}`;
  return [
    `::group::${escapeData(title)}`,
    `::stop-commands::${token}`,
    body.replace(/\n$/, ''),
    `::${token}::`,
    '::endgroup::',
  ].join('\n');
}
