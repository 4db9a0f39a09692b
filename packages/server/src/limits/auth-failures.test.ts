import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addressKey, AuthFailures } from './auth-failures.js';

test('an address may present so many wrong tokens a window, then waits out the rest of it', () => {
  const failures = new AuthFailures(3, 60_000);
  for (let i = 0; i < 3; i += 1) {
    assert.equal(failures.retryAfterSeconds('10.0.0.9', 1_000), undefined);
    failures.failed('10.0.0.9', 1_000);
  }
  assert.equal(failures.retryAfterSeconds('10.0.0.9', 1_000), 60);
  assert.equal(failures.retryAfterSeconds('10.0.0.9', 31_000), 30);
  assert.equal(failures.retryAfterSeconds('10.0.0.7', 31_000), undefined, 'another address is not held back');
  assert.equal(failures.retryAfterSeconds('10.0.0.9', 61_000), undefined, 'the window ended');
});

test('remembers a bounded number of addresses, forgetting the one remembered longest', () => {
  const failures = new AuthFailures(1, 60_000, 2);
  failures.failed('a', 0);
  failures.failed('b', 0);
  failures.failed('c', 0);
  assert.equal(failures.retryAfterSeconds('a', 0), undefined);
  assert.equal(failures.retryAfterSeconds('c', 0), 60);
});

test('counts an IPv6 /64 as one address, and an IPv4-mapped address as its IPv4 one', () => {
  assert.equal(addressKey('2001:db8:1:2:aaaa::1'), addressKey('2001:db8:1:2:ffff:ffff:ffff:ffff'));
  assert.equal(addressKey('2001:db8:1:2::5'), '2001:db8:1:2::/64');
  assert.notEqual(addressKey('2001:db8:1:2::5'), addressKey('2001:db8:1:3::5'));
  assert.equal(addressKey('::ffff:10.0.0.9'), '10.0.0.9');
  assert.equal(addressKey('::1'), '0:0:0:0::/64');
  assert.equal(addressKey(undefined), '?');
  const failures = new AuthFailures(2, 60_000);
  failures.failed('2001:db8:1:2::1', 0);
  failures.failed('2001:db8:1:2::2', 0);
  assert.equal(failures.retryAfterSeconds('2001:db8:1:2::3', 0), 60, 'a fresh address in the same /64 is held back');
});
