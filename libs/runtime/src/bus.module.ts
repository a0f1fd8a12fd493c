import { type DynamicModule, Inject, Injectable, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { type Bus, type BusCredentials, connectBus } from '@vrft/bus';
import type { natsSchema } from '@vrft/config';
import type { z } from 'zod';

/** The `nats` section of an app config. */
export type NatsConfig = z.output<typeof natsSchema>;

/** Injection token of the app's connected {@link Bus}. */
export const BUS = Symbol.for('vrft.BUS');

function credentialsOf(nats: NatsConfig): BusCredentials | undefined {
  if (nats.user !== undefined && nats.pass !== undefined) return { kind: 'userPass', user: nats.user, pass: nats.pass };
  if (nats.token !== undefined) return { kind: 'token', token: nats.token };
  if (nats.credsFile !== undefined) return { kind: 'credsFile', path: nats.credsFile };
  return undefined;
}

/** Drains the bus when the app shuts down (after the gRPC server has drained). */
@Injectable()
class BusLifecycle implements OnApplicationShutdown {
  private readonly logger = new Logger('Bus');
  constructor(@Inject(BUS) private readonly bus: Bus) {}

  async onApplicationShutdown(): Promise<void> {
    this.logger.log('draining NATS connection');
    await this.bus.drain();
  }
}

/** Connects to NATS JetStream at start-up (from the app's `nats` config) and provides the Bus. */
@Module({})
export class BusModule {
  static forRoot(nats: NatsConfig, serviceName: string): DynamicModule {
    const logger = new Logger('Bus');
    return {
      module: BusModule,
      global: true,
      providers: [
        {
          provide: BUS,
          useFactory: () =>
            connectBus({
              servers: nats.servers,
              name: nats.name ?? serviceName,
              credentials: credentialsOf(nats),
              tls: nats.tls,
              logger: {
                info: (message, fields) => logger.log(message, fields),
                warn: (message, fields) => logger.warn(message, fields),
                error: (message, fields) => logger.error(message, fields),
              },
            }),
        },
        BusLifecycle,
      ],
      exports: [BUS],
    };
  }
}
