import { checkHealth, listServicesByReflection } from '@vrft/grpc';

/** `vrft health ADDRESS [SERVICE]`: prints the grpc.health.v1 status; exit 0 only when SERVING. */
export async function runHealth(
  address: string,
  service: string,
  out: { write(text: string): unknown },
): Promise<number> {
  const status = await checkHealth(address, service);
  out.write(`${status}\n`);
  return status === 'SERVING' ? 0 : 1;
}

/** `vrft services ADDRESS`: lists the services a server describes through reflection. */
export async function runServices(address: string, out: { write(text: string): unknown }): Promise<number> {
  for (const name of await listServicesByReflection(address)) out.write(`${name}\n`);
  return 0;
}
