import assert from 'node:assert/strict';
import { test } from 'node:test';
import { safeNext, signInPage } from './pages.js';

test('after sign-in, only a path of this dashboard: never another host', () => {
  assert.equal(safeNext('/runs/run-1/files/2'), '/runs/run-1/files/2');
  assert.equal(safeNext('/history?suite=my%20suite&file=a.feature'), '/history?suite=my%20suite&file=a.feature');
  for (const evil of ['//evil.example/', '/\\evil.example', 'https://evil.example/', 'runs', '', null, undefined]) {
    assert.equal(safeNext(evil), '/', String(evil));
  }
});

test('the sign-in page escapes what it echoes', () => {
  const page = signInPage('/x"><script>alert(1)</script>', 'a <b>refusal</b>');
  assert.ok(!page.includes('<script>alert'));
  assert.ok(!page.includes('<b>refusal'));
});
