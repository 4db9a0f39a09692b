import { randomBytes } from 'node:crypto';

/** Short random ids that are safe in Docker label values and easy to read in logs. */
export function newId(prefix: string): string {
  return `${prefix}-${randomBytes(6).toString('hex')}`;
}
