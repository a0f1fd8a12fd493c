import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { type Client, type ServiceClientConstructor, credentials, loadPackageDefinition } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { fromServiceError } from './errors.js';

// The health and reflection protocols are not ours: their clients load the
// .proto files shipped by grpc-health-check and @grpc/reflection.
const require = createRequire(import.meta.url);
const healthProto = join(dirname(require.resolve('grpc-health-check')), '../../proto/health/v1/health.proto');
const reflectionProto = join(
  dirname(require.resolve('@grpc/reflection')),
  '../proto/grpc/reflection/v1/reflection.proto',
);

type Callback<T> = (error: Error | null, value?: T) => void;
interface HealthStub extends Client {
  Check(request: { service: string }, options: { deadline: number }, callback: Callback<{ status: string }>): void;
}
interface ReflectionCall {
  write(message: { listServices: string }): void;
  end(): void;
  on(event: 'data', listener: (message: { listServicesResponse?: { service: { name: string }[] } }) => void): void;
  on(event: 'error', listener: (error: Error) => void): void;
  on(event: 'end', listener: () => void): void;
}
interface ReflectionStub extends Client {
  ServerReflectionInfo(options: { deadline: number }): ReflectionCall;
}

function loadService(file: string, path: string[]): ServiceClientConstructor {
  const definition = loadSync(file, { keepCase: false, enums: String, defaults: true, oneofs: true });
  let node: unknown = loadPackageDefinition(definition);
  for (const key of path) node = (node as Record<string, unknown>)[key];
  return node as ServiceClientConstructor;
}

/** Asks grpc.health.v1.Health/Check; returns "SERVING", "NOT_SERVING", … */
export function checkHealth(address: string, service = '', timeoutMs = 5_000): Promise<string> {
  const Health = loadService(healthProto, ['grpc', 'health', 'v1', 'Health']);
  const stub = new Health(address, credentials.createInsecure()) as unknown as HealthStub;
  return new Promise<string>((resolve, reject) => {
    stub.Check({ service }, { deadline: Date.now() + timeoutMs }, (error, response) => {
      stub.close();
      if (error || !response) reject(fromServiceError(error));
      else resolve(response.status);
    });
  });
}

/** Lists the services a server describes through grpc.reflection.v1. */
export function listServicesByReflection(address: string, timeoutMs = 5_000): Promise<string[]> {
  const Reflection = loadService(reflectionProto, ['grpc', 'reflection', 'v1', 'ServerReflection']);
  const stub = new Reflection(address, credentials.createInsecure()) as unknown as ReflectionStub;
  return new Promise<string[]>((resolve, reject) => {
    const call = stub.ServerReflectionInfo({ deadline: Date.now() + timeoutMs });
    const names: string[] = [];
    call.on('data', (message) => names.push(...(message.listServicesResponse?.service.map((s) => s.name) ?? [])));
    call.on('error', (error) => {
      stub.close();
      reject(fromServiceError(error));
    });
    call.on('end', () => {
      stub.close();
      resolve(names.sort());
    });
    call.write({ listServices: '*' });
    call.end();
  });
}
