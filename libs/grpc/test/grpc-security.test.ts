import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReasoningService } from '@vrft/proto';
import { Code, GrpcServer, RpcError, checkHealth, createClient } from '@vrft/grpc';
import { createObserved, testReasoningService } from './fixtures.js';

/** A CA, a server certificate for 127.0.0.1 and a client certificate, made by openssl. */
function makeCertificates(dir: string): Record<'ca' | 'serverCert' | 'serverKey' | 'clientCert' | 'clientKey', string> {
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=vrft-test-ca',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
  );
  for (const [name, subject, ext] of [
    ['server', '/CN=127.0.0.1', 'subjectAltName=IP:127.0.0.1'],
    ['client', '/CN=vrft-test-client', 'extendedKeyUsage=clientAuth'],
  ] as const) {
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', subject, '-keyout', `${name}.key`, '-out', `${name}.csr`);
    writeFileSync(join(dir, `${name}.ext`), `${ext}\n`);
    openssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      '1',
      '-extfile',
      `${name}.ext`,
      '-out',
      `${name}.pem`,
    );
  }
  return {
    ca: join(dir, 'ca.pem'),
    serverCert: join(dir, 'server.pem'),
    serverKey: join(dir, 'server.key'),
    clientCert: join(dir, 'client.pem'),
    clientKey: join(dir, 'client.key'),
  };
}

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (e: unknown) => e as RpcError,
  );

describe('gRPC security: TLS, mutual TLS and bearer tokens', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vrft-tls-'));
  let certs: ReturnType<typeof makeCertificates>;
  const servers: GrpcServer[] = [];
  const start = async (server: GrpcServer) => {
    servers.push(server);
    server.addService(ReasoningService, testReasoningService(createObserved()));
    const port = await server.start();
    server.setServing(true);
    return `127.0.0.1:${port}`;
  };

  beforeAll(() => {
    certs = makeCertificates(dir);
  });
  afterAll(async () => {
    for (const server of servers) await server.shutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves over TLS to a client that trusts the CA, and not to a plaintext client', async () => {
    const address = await start(
      new GrpcServer({ host: '127.0.0.1', port: 0, tls: { certFile: certs.serverCert, keyFile: certs.serverKey } }),
    );
    const tls = createClient(ReasoningService, { address, tls: { caFile: certs.ca } });
    expect((await tls.generate({ query: { question: 'over tls' } })).result?.answer).toBe('over tls');
    tls.close();
    const plain = createClient(ReasoningService, { address, defaultTimeoutMs: 2_000, retry: { maxAttempts: 1 } });
    expect((await failure(plain.generate({ query: { question: 'x' } })))?.code).toBe(Code.UNAVAILABLE);
    plain.close();
  });

  it('requires a client certificate signed by the CA under mutual TLS', async () => {
    const address = await start(
      new GrpcServer({
        host: '127.0.0.1',
        port: 0,
        tls: { certFile: certs.serverCert, keyFile: certs.serverKey, caFile: certs.ca, requireClientCert: true },
      }),
    );
    const withCert = createClient(ReasoningService, {
      address,
      tls: { caFile: certs.ca, certFile: certs.clientCert, keyFile: certs.clientKey },
    });
    expect((await withCert.generate({ query: { question: 'mtls' } })).result?.answer).toBe('mtls');
    withCert.close();
    const withoutCert = createClient(ReasoningService, {
      address,
      tls: { caFile: certs.ca },
      defaultTimeoutMs: 2_000,
      retry: { maxAttempts: 1 },
    });
    expect((await failure(withoutCert.generate({ query: { question: 'x' } })))?.code).toBe(Code.UNAVAILABLE);
    withoutCert.close();
  });

  it('checks bearer tokens on every service call but keeps health open', async () => {
    const token = 'a-long-enough-test-token';
    const address = await start(new GrpcServer({ host: '127.0.0.1', port: 0, bearerTokens: [token] }));
    const anonymous = createClient(ReasoningService, { address });
    const missing = await failure(anonymous.generate({ query: { question: 'x' } }));
    expect(missing?.code).toBe(Code.UNAUTHENTICATED);
    const wrong = createClient(ReasoningService, { address, bearerToken: 'not-the-right-token' });
    expect((await failure(wrong.generate({ query: { question: 'x' } })))?.code).toBe(Code.UNAUTHENTICATED);
    const right = createClient(ReasoningService, { address, bearerToken: token });
    expect((await right.generate({ query: { question: 'authorised' } })).result?.answer).toBe('authorised');
    for (const client of [anonymous, wrong, right]) client.close();
    expect(await checkHealth(address)).toBe('SERVING');
  });
});
