import { Code } from '@vrft/grpc';
import { defineCounter, defineHistogram } from '@vrft/telemetry';
import type { Registry } from 'prom-client';

/**
 * gRPC server metrics of an app: calls by method and status code, and their
 * duration. Returns the listener the gRPC server calls when a call ends.
 */
export function grpcServerMetrics(registry: Registry): (method: string, code: Code, seconds: number) => void {
  const calls = defineCounter(registry, {
    name: 'vrft_grpc_server_calls_total',
    help: 'gRPC calls handled, by method and status code',
    labelNames: ['method', 'code'],
  });
  const duration = defineHistogram(registry, {
    name: 'vrft_grpc_server_call_seconds',
    help: 'Duration of gRPC calls from start to status, by method',
    labelNames: ['method'],
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120],
  });
  return (method, code, seconds) => {
    calls.inc({ method, code: Code[code] ?? String(code) });
    duration.observe({ method }, seconds);
  };
}
