import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatTraceparent, newRunSpanIds, parseTraceparent } from './traceparent.js';

describe('traceparent', () => {
  it('reads a valid one and refuses the rest (all-zero ids, other versions, upper case)', () => {
    assert.deepEqual(parseTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'), {
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
    });
    for (const bad of [
      undefined,
      '',
      '00-00000000000000000000000000000000-00f067aa0ba902b7-01',
      '00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01',
      '01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      '00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01',
    ]) {
      assert.equal(parseTraceparent(bad), undefined, String(bad));
    }
  });

  it('a run span joins the CI’s trace with a span of its own, or starts a trace', () => {
    const parent = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7' };
    const joined = newRunSpanIds(parent);
    assert.equal(joined.traceId, parent.traceId);
    assert.notEqual(joined.spanId, parent.spanId);
    assert.match(formatTraceparent(newRunSpanIds(undefined)), /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  });
});
