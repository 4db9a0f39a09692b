import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pc from 'picocolors';
import { plannedLine, runBanner, runNotes } from './run-notes.js';

const plain = pc.createColors(false);

describe('runBanner', () => {
  it('says what runs where, with the seed of a random order, retries and fail-fast', () => {
    const [first] = runBanner(
      {
        files: 1,
        image: 'runner',
        concurrency: 4,
        timeout: 300,
        order: 'random',
        seed: 7,
        retries: 2,
        failFast: true,
        cucumberLines: [],
      },
      undefined,
    );
    assert.equal(
      first,
      'baleen: 1 file · image runner · an embedded server · concurrency 4 · timeout 300s · random order (--seed 7) · retries 2 · fail-fast',
    );
  });

  it('adds cucumber’s lines and chosen reporters, and wraps to the width', () => {
    const lines = runBanner(
      {
        files: 22,
        image: 'runner',
        server: 'ws://ci:7000',
        concurrency: 2,
        timeout: 60,
        order: 'timing',
        retries: 0,
        cucumberLines: ['profile ci · tags @smoke'],
        reporters: { names: ['github', 'junit'], source: 'GitHub Actions' },
      },
      40,
    );
    assert.match(lines[0] ?? '', /^baleen: 22 files · image runner/);
    assert.ok(lines[0]?.includes('\n'), 'the first line is wrapped at 40 columns');
    assert.equal(lines[1], 'baleen: profile ci · tags @smoke');
    assert.equal(lines[2], 'baleen: reporters github, junit (GitHub Actions)');
  });
});

describe('runNotes', () => {
  const asked = { server: 'wss://tests.example:7000', concurrency: 8 };

  it('says a run was accepted, when the server capped its concurrency, and its dashboard page on the server', () => {
    const notes = runNotes(
      {
        type: 'run-accepted',
        message: {
          type: 'run-accepted',
          runRef: 'r',
          runId: 'run-1',
          fileCount: 3,
          concurrency: 2,
          dashboard: '/runs/run-1',
        },
      },
      asked,
      plain,
    );
    assert.deepEqual(notes, [
      'run run-1 accepted — the server runs at most 2 of its containers at once (asked 8)',
      'dashboard: https://tests.example:7000/runs/run-1',
    ]);
  });

  it('says what --sync had to send', () => {
    const synced = (sentFiles: number, sentBytes: number) =>
      runNotes(
        {
          type: 'workspace-synced',
          outcome: { treeHash: 'h', files: 10, bytes: 2048, sentFiles, sentBytes, manifestSent: true },
        },
        asked,
        plain,
      );
    assert.match(synced(0, 0)[0] ?? '', /already on the server, sent only its hash/);
    assert.match(synced(3, 512)[0] ?? '', /\(3 files\), the rest was on the server/);
  });

  it('leaves per-file events to the live view', () => {
    assert.deepEqual(
      runNotes({ type: 'run-queued', message: { type: 'run-queued', runId: 'run-1', position: 1 } }, asked, plain),
      [],
    );
  });
});

describe('plannedLine', () => {
  it('names the history, the packs, the splits and the containers', () => {
    assert.equal(
      plannedLine({
        type: 'run-planned',
        runId: 'run-1',
        order: 'timing',
        history: { source: 'server', known: 20, total: 22 },
        containers: 9,
        packs: 3,
        packedFiles: 12,
        splits: [{ fileIndex: 4, file: 'long.feature', parts: 3 }],
      }),
      "order: longest first by the server's history, 20 of 22 files known · 3 packs (12 files share containers) · long.feature split in 3 · 9 containers",
    );
  });
});
