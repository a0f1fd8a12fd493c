/**
 * Test helpers that start real parts. NATS: a nats-server per suite on a free
 * port with a temporary JetStream store.
 */
export { freePort } from './free-port.js';
export { type NatsServer, NatsServerStartError, startNatsServer } from './nats-server.js';
export { type NatsServerOptions, NatsServerOptionsError } from './nats-server-options.js';
export { type FuzzLimits, mutateBytes, randomMessageBytes, seededRandom } from './message-fuzzer.js';
