/** Boots vrft apps: the shared config sections, the root module frame, and main(). */
export { baseAppSchema, grpcServerOptionsOf, type BaseAppConfig } from './app-config.js';
export { appModule, type AppModuleParts } from './app-module.js';
export { runApp, startApp, type AppDefinition, type RunningApp } from './run-app.js';
export { BusModule, BUS, type NatsConfig } from './bus.module.js';
export { mapErrorClasses, sharedErrorMapper } from './error-mapping.js';
export { grpcServerMetrics } from './grpc-metrics.js';
