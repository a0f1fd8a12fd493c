/**
 * Typed gRPC for vrft: @grpc/grpc-js servers and clients whose messages are
 * protobuf-es types, with health, reflection, deadlines, cancellation and one
 * error-to-status mapping. NestJS integration in `GrpcModule`.
 */
export { Code, RpcError, type ErrorMapper, toRpcError, fromServiceError, unimplemented } from './errors.js';
export type { CallContext } from './call-context.js';
export type { ServiceImpl, MethodHandler, ServiceClient, ClientMethod, CallOptions } from './service-types.js';
export { GrpcServer, type GrpcServerOptions, type ServerTlsOptions } from './server.js';
export { createClient, type GrpcClientOptions, type RetryOptions } from './client.js';
export { checkHealth, listServicesByReflection } from './probes.js';
export {
  GrpcModule,
  GrpcService,
  GrpcServerHost,
  GRPC_SERVER_OPTIONS,
  type GrpcModuleOptions,
} from './nest/grpc.module.js';
