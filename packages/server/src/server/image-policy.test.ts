import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseImageReference } from '@baleen/protocol';
import { imageRefusal, parseImagePattern, type ImagePolicy } from './image-policy.js';

const policy = (...patterns: string[]): ImagePolicy => ({
  patterns: patterns.map(parseImagePattern),
  refuseLocalRegistries: true,
});

describe('parseImageReference (the distribution/reference grammar)', () => {
  it('parses and normalises references as the engine does', () => {
    const parsed = (text: string) => {
      const result = parseImageReference(text);
      return result.ok ? result.reference : result.reason;
    };
    assert.deepEqual(parsed('node'), { domain: 'docker.io', path: 'library/node' });
    assert.deepEqual(parsed('node:20-slim'), { domain: 'docker.io', path: 'library/node', tag: '20-slim' });
    assert.deepEqual(parsed('myorg/app:1'), { domain: 'docker.io', path: 'myorg/app', tag: '1' });
    assert.deepEqual(parsed('localhost:5000/a/b:c'), { domain: 'localhost:5000', path: 'a/b', tag: 'c' });
    assert.deepEqual(parsed('registry.example.com/team/app@sha256:' + 'a'.repeat(64)), {
      domain: 'registry.example.com',
      path: 'team/app',
      digest: 'sha256:' + 'a'.repeat(64),
    });
    assert.deepEqual(parsed('[::1]:5000/x'), { domain: '[::1]:5000', path: 'x' });
    assert.deepEqual(parsed('index.docker.io/library/node'), { domain: 'docker.io', path: 'library/node' });
  });

  it('refuses what is not a reference: .., empty components, upper case paths, bad tags and hosts', () => {
    for (const text of [
      'registry.example.com/../../127.0.0.1:7499/x',
      '127.0.0.1:7499/../../x',
      'a//b',
      'a/./b',
      '/abs',
      'Node',
      'node:',
      'node:-bad',
      'node@sha256:short',
      'user@host.example/x',
      'host.example:port/x',
      '-leading/x',
      'a..b/x:y',
      'x'.repeat(256),
    ]) {
      assert.equal(parseImageReference(text).ok, false, text);
    }
  });
});

describe('imageRefusal', () => {
  it('matches patterns on parsed references, so another registry never passes for a Hub name', () => {
    assert.equal(imageRefusal('node:20', policy('node*')), undefined);
    assert.equal(imageRefusal('node-extra', policy('node*')), undefined);
    assert.match(imageRefusal('node.attacker.example/x', policy('node*')) ?? '', /not allowed/);
    assert.match(imageRefusal('node.attacker.example/node', policy('node*')) ?? '', /not allowed/);
    assert.equal(imageRefusal('baleen-fixtures:latest', policy('baleen-*')), undefined);
    assert.equal(imageRefusal('registry.local/team/runner:2', policy('registry.local/team/*')), undefined);
    assert.match(
      imageRefusal('registry.local.attacker.example/team/x', policy('registry.local/*')) ?? '',
      /not allowed/,
    );
    assert.match(imageRefusal('alpine:3', policy('baleen-*', 'registry.local/*')) ?? '', /not allowed/);
    assert.equal(imageRefusal('a.example.com/x', policy('*.example.com/*')), undefined);
    assert.match(imageRefusal('a.b.example.com/x', policy('*.example.com/*')) ?? '', /not allowed/);
    assert.equal(imageRefusal('node:20', policy('node:2*')), undefined);
    assert.match(imageRefusal('node:18', policy('node:2*')) ?? '', /not allowed/);
    assert.equal(imageRefusal('anything:1', policy()), undefined);
    assert.equal(imageRefusal('anything:1', policy('*')), undefined);
  });

  it('refuses references outside the grammar and local registries not named by a pattern', () => {
    assert.match(
      imageRefusal('registry.example.com/../../127.0.0.1:7499/x', policy('registry.example.com/*')) ?? '',
      /not an image reference/,
    );
    assert.match(imageRefusal('127.0.0.1:7499/x', policy()) ?? '', /registry on the server's own host/);
    assert.match(imageRefusal('localhost:5000/x', policy()) ?? '', /--allow-image 'localhost:5000\/\*'/);
    assert.match(imageRefusal('169.254.169.254/x', policy()) ?? '', /own host/);
    assert.equal(imageRefusal('localhost:5000/x', policy('localhost:5000/*')), undefined);
    assert.equal(imageRefusal('localhost:5000/x', { patterns: [], refuseLocalRegistries: false }), undefined);
  });

  it('refuses patterns that are not patterns', () => {
    assert.throws(() => parseImagePattern('a/../b'), /not an image pattern/);
  });
});
