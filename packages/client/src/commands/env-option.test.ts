import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseEnvOptions } from './env-option.js';

describe('parseEnvOptions', () => {
  it('parses K=V, keeps = in values, and takes bare K from this environment', () => {
    assert.deepEqual(parseEnvOptions(['A=1', 'B=x=y', 'EMPTY=', 'HOME_COPY'], { HOME_COPY: '/root' }), {
      A: '1',
      B: 'x=y',
      EMPTY: '',
      HOME_COPY: '/root',
    });
  });

  it('refuses invalid names and unset bare names with a usage error', () => {
    assert.throws(() => parseEnvOptions(['1A=x']), { code: 'USAGE', message: /not a valid variable name/ });
    assert.throws(() => parseEnvOptions(['NOPE'], {}), { code: 'USAGE', message: /NOPE is not set/ });
  });
});
