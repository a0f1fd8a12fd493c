export { type ConfigIssue, type ConfigSource, ConfigError } from './config-error.js';
export { type LoadConfigOptions, configFileVariable, loadConfig } from './load-config.js';
export { type ConfigRow, describeConfig } from './describe-config.js';
export {
  LOG_LEVELS,
  grpcServerSchema,
  grpcServerTlsSchema,
  natsSchema,
  natsTlsSchema,
  portSchema,
  shutdownSchema,
  telemetrySchema,
} from './fragments.js';
export { APP_CONFIG, type ConfigOf, ConfigModule, InjectConfig } from './config.module.js';
export { EX_CONFIG, type ExitIo, exitOnConfigError, findConfigError } from './exit-on-config-error.js';
