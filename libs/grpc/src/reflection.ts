import { type DescFile, type DescService, toBinary } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema } from '@bufbuild/protobuf/wkt';
import type { Server } from '@grpc/grpc-js';
import { ReflectionService } from '@grpc/reflection';
import { service as healthService } from 'grpc-health-check';

type PackageDefinition = ConstructorParameters<typeof ReflectionService>[0];

function collectFiles(file: DescFile, into: Map<string, DescFile>): void {
  if (into.has(file.name)) return;
  into.set(file.name, file);
  for (const dependency of file.dependencies) collectFiles(dependency, into);
}

/** The health service's own descriptors, as grpc-health-check ships them. */
function healthDescriptors(): Buffer[] {
  const check = healthService['Check'];
  const protos = check?.requestType.fileDescriptorProtos;
  return Array.isArray(protos) ? protos : [];
}

/**
 * Registers grpc.reflection.v1 (and v1alpha) describing the given services and
 * the health service, from the descriptors embedded in the protobuf-es code,
 * so that tools such as grpcurl or grpcio's reflection client can list and call them.
 */
export function addReflection(server: Server, services: readonly DescService[]): void {
  const files = new Map<string, DescFile>();
  for (const service of services) collectFiles(service.file, files);
  const encoded = [...files.values()].map((file) => Buffer.from(toBinary(FileDescriptorProtoSchema, file.proto)));
  const definition: PackageDefinition = {};
  for (const service of services) definition[service.typeName] = { fileDescriptorProtos: encoded } as never;
  definition['grpc.health.v1.Health'] = { fileDescriptorProtos: healthDescriptors() } as never;
  const reflection = new ReflectionService(definition, {
    services: [...services.map((s) => s.typeName), 'grpc.health.v1.Health'],
  });
  reflection.addToServer(server);
}
