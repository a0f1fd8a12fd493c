import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

/** One request received by {@link startOtlpCollector}. */
export interface ReceivedExport {
  method: string;
  path: string;
  contentType: string;
  body: Buffer;
}

/**
 * A tiny OTLP/HTTP receiver on 127.0.0.1 for tests: records every request and answers 200 with
 * an empty JSON ExportTraceServiceResponse, as a collector does.
 */
export async function startOtlpCollector(): Promise<{
  endpoint: string;
  received: ReceivedExport[];
  close(): Promise<void>;
}> {
  const received: ReceivedExport[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const raw = Buffer.concat(chunks);
      received.push({
        method: request.method ?? '',
        path: request.url ?? '',
        contentType: request.headers['content-type'] ?? '',
        body: request.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw,
      });
      response.writeHead(200, { 'Content-Type': 'application/json' });
      response.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error === undefined ? resolve() : reject(error)));
        server.closeAllConnections();
      }),
  };
}
