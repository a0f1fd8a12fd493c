import { Inject, Injectable } from '@nestjs/common';
import { defineCounter, defineGauge, defineHistogram } from '@vrft/telemetry';
import { Registry } from 'prom-client';

/** What the metrics read from the engine when Prometheus scrapes. */
export interface EngineGaugeSource {
  occupancy(): { queued: number; running: number } | undefined;
}

/** Which front door a request came through. */
export type ServingApi = 'grpc' | 'http';

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 120];

/**
 * Prometheus metrics of serving: queue depth and running sequences (read from the engine after
 * every scheduler iteration and request arrival),
 * decode batch sizes, time to first token, total latency, generated tokens and a tokens/s gauge
 * over a sliding window, requests by API and status code, and the feature cache.
 */
@Injectable()
export class ServingMetrics {
  private readonly requests;
  private readonly firstToken;
  private readonly latency;
  private readonly tokens;
  private readonly batchSize;
  private readonly cache;
  private readonly queueDepth;
  private readonly running;
  private readonly rate;
  private readonly window: { at: number; tokens: number }[] = [];
  private source: EngineGaugeSource | undefined;

  constructor(@Inject(Registry) registry: Registry) {
    this.requests = defineCounter(registry, {
      name: 'vrft_serving_requests_total',
      help: 'Generation requests finished, by API (grpc, http) and status code',
      labelNames: ['api', 'code'],
    });
    this.firstToken = defineHistogram(registry, {
      name: 'vrft_serving_time_to_first_token_seconds',
      help: 'Time from a request arriving to its first sampled token',
      labelNames: ['api'],
      buckets: LATENCY_BUCKETS,
    });
    this.latency = defineHistogram(registry, {
      name: 'vrft_serving_request_seconds',
      help: 'Time from a request arriving to its last token',
      labelNames: ['api'],
      buckets: LATENCY_BUCKETS,
    });
    this.tokens = defineCounter(registry, {
      name: 'vrft_serving_generated_tokens_total',
      help: 'Tokens sampled by the engine (prefill first tokens and decode steps)',
    });
    this.batchSize = defineHistogram(registry, {
      name: 'vrft_serving_batch_size',
      help: 'Sequences in each decode step of the continuous batch',
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
    });
    this.cache = defineCounter(registry, {
      name: 'vrft_serving_feature_cache_lookups_total',
      help: 'Visual-token cache lookups, by result (hit, miss, shared)',
      labelNames: ['result'],
    });
    this.queueDepth = defineGauge(registry, {
      name: 'vrft_serving_queue_depth',
      help: 'Requests waiting for a batch slot',
    });
    this.running = defineGauge(registry, {
      name: 'vrft_serving_running_sequences',
      help: 'Sequences in the running batches',
    });
    this.rate = defineGauge(registry, {
      name: 'vrft_serving_tokens_per_second',
      help: 'Tokens sampled per second over the last 10 seconds',
    });
  }

  /** Where queue depth and running sequences are read from. */
  attach(source: EngineGaugeSource): void {
    this.source = source;
  }

  /** One scheduler iteration: a decode step of `batch` rows (0 = prefill only) sampling `tokens`. */
  recordStep(batch: number, tokens: number, now = performance.now()): void {
    if (batch > 0) this.batchSize.observe(batch);
    this.tokens.inc(tokens);
    this.window.push({ at: now, tokens });
    while (this.window.length > 0 && (this.window[0]?.at ?? now) < now - 10_000) this.window.shift();
    this.rate.set(this.tokensPerSecond(now));
    this.refreshOccupancy();
  }

  /** Reads queue depth and running sequences from the engine. */
  refreshOccupancy(): void {
    const occupancy = this.source?.occupancy();
    this.queueDepth.set(occupancy?.queued ?? 0);
    this.running.set(occupancy?.running ?? 0);
  }

  /** A request's first token arrived `seconds` after the request. */
  recordFirstToken(api: ServingApi, seconds: number): void {
    this.firstToken.observe({ api }, seconds);
  }

  /** A request ended with status `code` (a gRPC code name) after `seconds`. */
  recordRequest(api: ServingApi, code: string, seconds: number): void {
    this.requests.inc({ api, code });
    if (code === 'OK') this.latency.observe({ api }, seconds);
  }

  /** A feature-cache lookup. */
  recordCacheLookup(result: 'hit' | 'miss' | 'shared'): void {
    this.cache.inc({ result });
  }

  private tokensPerSecond(now = performance.now()): number {
    let tokens = 0;
    for (const entry of this.window) if (entry.at >= now - 10_000) tokens += entry.tokens;
    return tokens / 10;
  }
}
