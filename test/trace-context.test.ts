// Trace context: every container gets TRACEPARENT naming the run's span, and --otel-endpoint sends a span per run,
// file and scenario over OTLP/HTTP — here to a collector stand-in on loopback that keeps what it receives.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { runBaleen } from './support/cli.js';
import { IMAGE } from './support/paths.js';

interface OtlpSpan {
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  attributes: { key: string; value: Record<string, unknown> }[];
}
interface OtlpRequest {
  resourceSpans: { scopeSpans: { spans: OtlpSpan[] }[] }[];
}

const received: { path: string; contentType: string; spans: OtlpSpan[] }[] = [];
let collector: Server;
let endpoint = '';

before(async () => {
  collector = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      const parsed = JSON.parse(body) as OtlpRequest;
      received.push({
        path: request.url ?? '',
        contentType: request.headers['content-type'] ?? '',
        spans: parsed.resourceSpans.flatMap((resource) => resource.scopeSpans.flatMap((scope) => scope.spans)),
      });
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
});

after(() => {
  collector.close();
});

/** An attribute's value, whatever its OTLP type (stringValue, intValue...). */
function attribute(span: OtlpSpan, key: string): unknown {
  const found = span.attributes.find((candidate) => candidate.key === key);
  return found === undefined ? undefined : Object.values(found.value)[0];
}

describe('trace context', () => {
  it('exports run, file and scenario spans with test.* attributes, in the CI’s trace, and gives containers TRACEPARENT', async () => {
    const ciTrace = '4bf92f3577b34da6a3ce929d0e0e4736';
    const ciSpan = '00f067aa0ba902b7';
    const result = await runBaleen(
      [
        'cucumber',
        '--image',
        IMAGE,
        '--files',
        'features/cart.feature',
        'edge/failing.feature',
        '--otel-endpoint',
        endpoint,
        '--before-command',
        'echo "container traceparent=$TRACEPARENT"',
        '--show-output',
      ],
      { env: { TRACEPARENT: `00-${ciTrace}-${ciSpan}-01`, GITHUB_ACTIONS: '', GITLAB_CI: '' } },
    );
    assert.equal(result.code, 1, result.stderr);
    assert.equal(result.stderr.includes('could not send'), false, result.stderr);

    assert.ok(received.length > 0, 'the collector received spans');
    assert.ok(received.every((request) => request.path === '/v1/traces'));
    assert.ok(received.every((request) => request.contentType.startsWith('application/json')));
    const spans = received.flatMap((request) => request.spans);
    assert.ok(
      spans.every((span) => span.traceId === ciTrace),
      'every span is in the CI’s trace',
    );

    const runs = spans.filter((span) => span.name === 'baleen run');
    assert.equal(runs.length, 1);
    const run = runs[0] as OtlpSpan;
    assert.equal(run.parentSpanId, ciSpan);
    assert.equal(attribute(run, 'test.suite.run.status'), 'failure');
    assert.match(String(attribute(run, 'baleen.run.id')), /^run-/);

    const files = spans.filter((span) => span.name === 'baleen file');
    assert.deepEqual(
      files.map((span) => [attribute(span, 'test.suite.name'), attribute(span, 'test.suite.run.status')]).sort(),
      [
        ['edge/failing.feature', 'failure'],
        ['features/cart.feature', 'success'],
      ],
    );
    assert.ok(files.every((span) => span.parentSpanId === run.spanId));

    const scenarios = spans.filter((span) => span.name === 'baleen scenario');
    assert.equal(scenarios.length, 5);
    const failed = scenarios.filter((span) => attribute(span, 'test.case.result.status') === 'fail');
    assert.equal(failed.length, 1);
    const failedScenario = failed[0] as OtlpSpan;
    assert.equal(attribute(failedScenario, 'test.case.name'), 'Arithmetic that does not hold');
    assert.equal(attribute(failedScenario, 'code.filepath'), 'edge/failing.feature');
    assert.equal(String(attribute(failedScenario, 'code.lineno')), '7');
    const failingFile = files.find((span) => attribute(span, 'test.suite.name') === 'edge/failing.feature');
    assert.equal(failedScenario.parentSpanId, failingFile?.spanId);

    // Each container was told the run's span: the system under test joins the same trace under it.
    const told = [...result.stdout.matchAll(/container traceparent=(00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2})/g)].map(
      (match) => match[1],
    );
    // Both files' containers (the before-command's trace and its output each show it).
    assert.ok(told.length >= 2, result.stdout);
    assert.deepEqual([...new Set(told)], [`00-${ciTrace}-${run.spanId}-01`]);
  });

  it('without --otel-endpoint containers still get a TRACEPARENT; a bad endpoint is exit 2 naming the flag', async () => {
    const plain = await runBaleen(
      [
        'cucumber',
        '--image',
        IMAGE,
        '--files',
        'features/cart.feature',
        '--before-command',
        'echo "container traceparent=$TRACEPARENT"',
        '--show-output',
      ],
      { env: { TRACEPARENT: '' } },
    );
    assert.equal(plain.code, 0, plain.stderr);
    assert.match(plain.stdout, /container traceparent=00-[0-9a-f]{32}-[0-9a-f]{16}-01/);

    const bad = await runBaleen([
      'cucumber',
      '--image',
      IMAGE,
      '--files',
      'features/cart.feature',
      '--otel-endpoint',
      'localhost:4318',
    ]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--otel-endpoint localhost:4318: not an http\(s\) URL/);
  });
});
