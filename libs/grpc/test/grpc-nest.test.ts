import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelInfoRequest, ReasoningService } from '@vrft/proto';
import {
  Code,
  GrpcModule,
  GrpcServerHost,
  GrpcService,
  RpcError,
  type ServiceImpl,
  checkHealth,
  createClient,
  unimplemented,
} from '@vrft/grpc';

/** A provider injected by type: proves decorator metadata survives the test compiler. */
@Injectable()
class ModelNameProvider {
  readonly name = 'nest-test-model';
}

@GrpcService(ReasoningService)
class ReasoningController implements ServiceImpl<typeof ReasoningService> {
  constructor(private readonly names: ModelNameProvider) {}

  modelInfo(_request: ModelInfoRequest) {
    return { modelName: this.names.name };
  }
  generate(): never {
    throw unimplemented('Generate', 'test');
  }
  // eslint-disable-next-line require-yield
  async *generateStream(): AsyncGenerator<never> {
    throw unimplemented('GenerateStream', 'test');
  }
  uploadVideo(): never {
    throw unimplemented('UploadVideo', 'test');
  }
}

@Module({
  imports: [GrpcModule.forRootAsync({ useFactory: () => ({ host: '127.0.0.1', port: 0, shutdownGraceMs: 200 }) })],
  controllers: [ReasoningController],
  providers: [ModelNameProvider],
})
class TestAppModule {}

describe('GrpcModule in a NestJS application', () => {
  let app: Awaited<ReturnType<typeof NestFactory.createApplicationContext>>;
  let address = '';

  beforeAll(async () => {
    app = await NestFactory.createApplicationContext(TestAppModule, { logger: false });
    await app.init();
    address = `127.0.0.1:${app.get(GrpcServerHost).port}`;
  });
  afterAll(async () => {
    await app?.close();
  });

  it('serves the controller with its injected dependencies', async () => {
    const client = createClient(ReasoningService, { address });
    expect((await client.modelInfo({})).modelName).toBe('nest-test-model');
    const error = (await client.generate({}).catch((e: unknown) => e)) as RpcError;
    expect(error.code).toBe(Code.UNIMPLEMENTED);
    const streamError = await (async () => {
      for await (const _ of client.generateStream({})) void _;
    })().catch((e: unknown) => e);
    expect((streamError as RpcError).code).toBe(Code.UNIMPLEMENTED);
    client.close();
    expect(await checkHealth(address)).toBe('SERVING');
  });

  it('stops listening when the application closes', async () => {
    await app.close();
    await expect(checkHealth(address, '', 500)).rejects.toBeInstanceOf(RpcError);
  });
});
