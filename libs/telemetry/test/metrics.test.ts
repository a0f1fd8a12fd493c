import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  MetricsError,
  TelemetryOptionsError,
  assertMetricName,
  createMetricsRegistry,
  defineCounter,
  defineGauge,
  defineHistogram,
  listMetricGlossary,
  renderMetricGlossary,
  startMetricsServer,
} from '@vrft/telemetry';

describe('metrics endpoint', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('serves a counter incremented in the registry over real HTTP', async () => {
    const registry = createMetricsRegistry({ service: 'serve' });
    const requests = defineCounter(registry, {
      name: 'vrft_grpc_requests_total',
      help: 'gRPC requests handled, by method',
      labelNames: ['method'],
    });
    requests.inc({ method: 'Generate' });
    requests.inc({ method: 'Generate' }, 2);
    const server = await startMetricsServer({ registry, host: '127.0.0.1', port: 0 });
    cleanups.push(() => server.close());
    expect(server.port).toBeGreaterThan(0);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/metrics`);

    const response = await fetch(server.url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    expect(text).toContain('# HELP vrft_grpc_requests_total gRPC requests handled, by method');
    expect(text).toContain('# TYPE vrft_grpc_requests_total counter');
    expect(text).toContain('vrft_grpc_requests_total{method="Generate",service="serve"} 3');
    // Default process metrics keep their standard names.
    expect(text).toMatch(/^process_cpu_user_seconds_total\{service="serve"\} /m);
    expect(text).toContain('nodejs_heap_size_used_bytes');
  });

  it('answers 404 for other paths and 405 for other methods', async () => {
    const server = await startMetricsServer({ registry: createMetricsRegistry({ defaultMetrics: false }), port: 0 });
    cleanups.push(() => server.close());
    const base = `http://127.0.0.1:${server.port}`;
    expect((await fetch(`${base}/`)).status).toBe(404);
    expect((await fetch(`${base}/metricsx`)).status).toBe(404);
    const post = await fetch(`${base}/metrics`, { method: 'POST', body: 'x' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    expect((await fetch(`${base}/metrics?x=1`)).status).toBe(200);
  });

  it('stops answering after close, and close can be called twice', async () => {
    const server = await startMetricsServer({ registry: createMetricsRegistry({ defaultMetrics: false }), port: 0 });
    expect((await fetch(server.url)).status).toBe(200);
    await server.close();
    await server.close();
    await expect(fetch(server.url)).rejects.toThrow();
  });

  it('reports a port that is taken as a MetricsError', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => blocker.close(() => resolve())));
    const { port } = blocker.address() as AddressInfo;
    const starting = startMetricsServer({ registry: createMetricsRegistry({ defaultMetrics: false }), port });
    await expect(starting).rejects.toThrow(MetricsError);
    await expect(startMetricsServer({ registry: createMetricsRegistry(), port: 70000 })).rejects.toThrow(
      TelemetryOptionsError,
    );
  });
});

describe('metric definitions', () => {
  it('enforces vrft_<area>_<name> and the _total suffix for counters only', () => {
    expect(() => assertMetricName('vrft_rollout_groups_total', 'counter')).not.toThrow();
    expect(() => assertMetricName('vrft_engine_batch_seconds', 'histogram')).not.toThrow();
    expect(() => assertMetricName('rollout_groups_total', 'counter')).toThrow('must look like vrft_<area>_<name>');
    expect(() => assertMetricName('vrft_total', 'counter')).toThrow('must look like vrft_<area>_<name>');
    expect(() => assertMetricName('vrft_Rollout_groups_total', 'counter')).toThrow(MetricsError);
    expect(() => assertMetricName('vrft_rollout_groups', 'counter')).toThrow('must end in _total');
    expect(() => assertMetricName('vrft_rollout_queue_total', 'gauge')).toThrow('must not end in _total');
  });

  it('records every definition in the glossary, once per name', () => {
    const registry = createMetricsRegistry({ defaultMetrics: false });
    const other = createMetricsRegistry({ defaultMetrics: false });
    const spec = { name: 'vrft_learner_policy_version', help: 'Policy version last published' };
    defineGauge(registry, spec);
    defineGauge(other, spec); // same definition in another registry is fine
    defineHistogram(registry, {
      name: 'vrft_engine_step_seconds',
      help: 'Decode step time | per batch',
      labelNames: ['provider'],
      buckets: [0.01, 0.1, 1],
    });
    const glossary = listMetricGlossary();
    expect(glossary.filter((entry) => entry.name === 'vrft_learner_policy_version')).toEqual([
      { name: 'vrft_learner_policy_version', kind: 'gauge', help: 'Policy version last published', labelNames: [] },
    ]);
    const markdown = renderMetricGlossary(glossary);
    expect(markdown).toContain(
      '| `vrft_engine_step_seconds` | histogram | provider | Decode step time \\| per batch |',
    );
    expect(markdown.split('\n')[0]).toBe('| metric | kind | labels | meaning |');
  });

  it('rejects conflicting or duplicate definitions and bad help or labels', () => {
    const registry = createMetricsRegistry({ defaultMetrics: false });
    defineCounter(registry, { name: 'vrft_bus_messages_total', help: 'Messages published' });
    expect(() => defineCounter(registry, { name: 'vrft_bus_messages_total', help: 'Messages published' })).toThrow(
      'already registered in this registry',
    );
    expect(() =>
      defineCounter(createMetricsRegistry({ defaultMetrics: false }), {
        name: 'vrft_bus_messages_total',
        help: 'Other',
      }),
    ).toThrow('already defined differently');
    expect(() => defineGauge(registry, { name: 'vrft_bus_lag_messages', help: '' })).toThrow('one-line help');
    expect(() =>
      defineGauge(registry, { name: 'vrft_bus_lag_messages', help: 'Lag', labelNames: ['Bad-Label'] }),
    ).toThrow('bad label name');
  });
});
