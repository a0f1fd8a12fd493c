import { create } from '@bufbuild/protobuf';
import { PromptTaskSchema } from '@vrft/proto';
import { type NatsServer, startNatsServer } from '@vrft/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Bus, type BusStatusEvent, type ConsumeHandle, connectBus } from '../src/index.js';
import { collectingLogger, waitFor } from './helpers.js';

let server: NatsServer;
let bus: Bus;
const events: BusStatusEvent[] = [];
const log = collectingLogger();

beforeAll(async () => {
  server = await startNatsServer();
  bus = await connectBus({
    servers: server.url,
    logger: log.logger,
    reconnect: { waitMs: 100, jitterMs: 10 },
    onStatus: (event) => events.push(event),
  });
  await bus.ensureStream({ name: 'DURABLE', subjects: ['durable.>'], retention: 'workqueue' });
  await bus.ensureConsumer('DURABLE', { durable: 'workers', ackWaitMs: 1_000 });
});

afterAll(async () => {
  await bus?.close();
  await server?.stop();
});

it('publishes and consumes again on the same bus after the server restarts', async () => {
  const handled: string[] = [];
  const handle: ConsumeHandle = await bus.consume(
    PromptTaskSchema,
    { stream: 'DURABLE', consumer: 'workers' },
    (msg) => {
      handled.push(msg.data.taskId);
    },
    // Short pulls so the consumer re-pulls soon after the reconnect.
    { expiresMs: 1_000 },
  );
  const before = await bus.publish(PromptTaskSchema, 'durable.task', create(PromptTaskSchema, { taskId: 'before' }));
  await waitFor('the first task', () => handled.length === 1);

  // Left in the stream across the restart: it must survive in the file store.
  await handle.stop();
  const kept = await bus.publish(PromptTaskSchema, 'durable.task', create(PromptTaskSchema, { taskId: 'kept' }));

  await server.restart();
  await waitFor('reconnect event', () => events.some((e) => e.type === 'reconnect'), 15_000);
  expect(events.some((e) => e.type === 'disconnect')).toBe(true);

  const after = await bus.publish(PromptTaskSchema, 'durable.task', create(PromptTaskSchema, { taskId: 'after' }));
  expect(kept.seq).toBe(before.seq + 1);
  expect(after.seq).toBe(kept.seq + 1); // sequence continues: same stream state

  const resumed = await bus.consume(
    PromptTaskSchema,
    { stream: 'DURABLE', consumer: 'workers' },
    (msg) => {
      handled.push(msg.data.taskId);
    },
    { expiresMs: 1_000 },
  );
  await waitFor('both tasks after the restart', () => handled.length === 3, 15_000);
  await resumed.stop();
  expect(handled).toEqual(['before', 'kept', 'after']);
  expect((await bus.streamStats('DURABLE')).messages).toBe(0);
});

it('keeps a running consume loop alive across a restart', async () => {
  const handled: string[] = [];
  const handle = await bus.consume(
    PromptTaskSchema,
    { stream: 'DURABLE', consumer: 'workers' },
    (msg) => {
      handled.push(msg.data.taskId);
    },
    { expiresMs: 1_000 },
  );
  const reconnects = events.filter((e) => e.type === 'reconnect').length;
  await server.restart();
  await waitFor('second reconnect', () => events.filter((e) => e.type === 'reconnect').length > reconnects, 15_000);

  await bus.publish(PromptTaskSchema, 'durable.task', create(PromptTaskSchema, { taskId: 'live' }));
  await waitFor('the running loop to get the task', () => handled.length === 1, 15_000);
  await handle.stop();
  expect(handled).toEqual(['live']);
  expect(log.entries.some((e) => e.message === 'nats reconnected')).toBe(true);
});
