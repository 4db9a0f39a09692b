import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dashboardLink } from './dashboard-link.js';

test("the run's dashboard page at the server's http(s) address", () => {
  assert.equal(dashboardLink('ws://build-1:5533', '/runs/run-abc'), 'http://build-1:5533/runs/run-abc');
  assert.equal(dashboardLink('wss://build-1.example:443', '/runs/run-abc'), 'https://build-1.example/runs/run-abc');
});

test('no link without a shared server or without a dashboard', () => {
  assert.equal(dashboardLink(undefined, '/runs/run-abc'), undefined);
  assert.equal(dashboardLink('ws://build-1:5533', undefined), undefined);
});

test('a path cannot point the link at another host', () => {
  assert.equal(dashboardLink('ws://build-1:5533', '//evil.example/x'), undefined);
});
