import { connect } from 'node:net';

/** The fields of a NATS server's INFO greeting that readiness checks use. */
export interface NatsInfo {
  server_name?: string;
  jetstream?: boolean;
  max_payload?: number;
  version?: string;
}

function isNatsInfo(value: unknown): value is NatsInfo {
  return typeof value === 'object' && value !== null;
}

/**
 * Opens a TCP connection, reads the server's `INFO {...}` greeting line and
 * closes. Rejects on connection errors, a greeting that is not NATS, after
 * `timeoutMs`, or when `signal` aborts (the socket is closed at once).
 */
export function readNatsInfo(host: string, port: number, timeoutMs: number, signal?: AbortSignal): Promise<NatsInfo> {
  if (signal?.aborted === true) return Promise.reject(new Error(`probe of ${host}:${port} aborted`));
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    let buffered = '';
    const onAbort = (): void => finish(new Error(`probe of ${host}:${port} aborted`));
    const finish = (error: Error | undefined, info?: NatsInfo): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      if (error !== undefined) reject(error);
      else if (info !== undefined) resolve(info);
    };
    const timer = setTimeout(() => finish(new Error(`no INFO from ${host}:${port} within ${timeoutMs} ms`)), timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.setEncoding('utf8');
    socket.on('error', (err) => finish(err));
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      const end = buffered.indexOf('\r\n');
      if (end < 0) return;
      const line = buffered.slice(0, end);
      if (!line.startsWith('INFO ')) {
        finish(new Error(`${host}:${port} did not greet with INFO: ${line.slice(0, 80)}`));
        return;
      }
      try {
        const parsed: unknown = JSON.parse(line.slice('INFO '.length));
        if (!isNatsInfo(parsed)) throw new Error('INFO is not an object');
        finish(undefined, parsed);
      } catch (err) {
        finish(new Error(`unreadable INFO from ${host}:${port}`, { cause: err }));
      }
    });
  });
}
