import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { MetricsError, TelemetryOptionsError } from './telemetry-errors.js';

/** Options of {@link startMetricsServer}. */
export interface MetricsServerOptions {
  /** Registry whose metrics are served. Required. */
  registry: Registry;
  /** Port to listen on; 0 picks a free port. Required. */
  port: number;
  /** Interface to bind. Default: '127.0.0.1'. */
  host?: string;
  /** Path of the endpoint. Default: '/metrics'. */
  path?: string;
}

/** A running metrics endpoint. */
export interface MetricsServer {
  readonly host: string;
  /** The bound port (the real one when 0 was asked). */
  readonly port: number;
  /** Full URL of the endpoint, e.g. `http://127.0.0.1:9464/metrics`. */
  readonly url: string;
  /** Stops listening and drops open connections; later calls return the same promise. */
  close(): Promise<void>;
}

/** Validates the server options; throws TelemetryOptionsError naming the field. */
export function parseMetricsServerOptions(options: MetricsServerOptions): Required<MetricsServerOptions> {
  const { port } = options;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new TelemetryOptionsError('port', `expected a port number 0..65535, got ${String(port)}`);
  }
  const host = options.host ?? '127.0.0.1';
  if (host.trim() === '') throw new TelemetryOptionsError('host', 'expected a host name or address, got ""');
  const path = options.path ?? '/metrics';
  if (!path.startsWith('/'))
    throw new TelemetryOptionsError('path', `expected a path starting with /, got ${JSON.stringify(path)}`);
  return { registry: options.registry, port, host, path };
}

/**
 * Serves `GET <path>` in the Prometheus text format from a node:http server; other paths are
 * 404 and other methods 405. Rejects with MetricsError if the port cannot be bound.
 */
export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const { registry, port, host, path } = parseMetricsServerOptions(options);
  const server = createServer((request, response) => {
    void respond(registry, path, request, response);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) =>
      reject(new MetricsError(`cannot listen on ${host}:${port}: ${error.message}`, { cause: error })),
    );
    server.listen(port, host, () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    host,
    port: bound,
    url: `http://${host.includes(':') ? `[${host}]` : host}:${bound}${path}`,
    close: () => (closing ??= closeServer(server)),
  };
}

async function respond(
  registry: Registry,
  path: string,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const requestPath = (request.url ?? '/').split('?')[0];
  if (requestPath !== path) return send(response, 404, 'text/plain; charset=utf-8', 'not found\n');
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.setHeader('Allow', 'GET, HEAD');
    return send(response, 405, 'text/plain; charset=utf-8', 'method not allowed\n');
  }
  try {
    const body = await registry.metrics();
    send(response, 200, registry.contentType, request.method === 'HEAD' ? '' : body);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    send(response, 500, 'text/plain; charset=utf-8', `collecting metrics failed: ${reason}\n`);
  }
}

function send(response: ServerResponse, status: number, contentType: string, body: string): void {
  response.writeHead(status, { 'Content-Type': contentType });
  response.end(body);
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error === undefined ? resolve() : reject(error)));
    // Keep-alive connections of a scraper would hold close() open until they time out.
    server.closeAllConnections();
  });
}
