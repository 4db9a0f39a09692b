import { randomBytes } from 'node:crypto';

/**
 * A fresh W3C traceparent for a run whose client sent none: its containers still share one trace, which the
 * system under test can join (nobody exports the run's own span then).
 */
export function newTraceparent(): string {
  return `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`;
}
