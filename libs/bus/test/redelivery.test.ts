import { create } from '@bufbuild/protobuf';
import { PromptTaskSchema } from '@vrft/proto';
import { type NatsServer, startNatsServer } from '@vrft/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Bus, connectBus } from '../src/index.js';
import { collectingLogger, deferred, waitFor } from './helpers.js';

let server: NatsServer;
let crashing: Bus;
let survivor: Bus;
// Holds the first worker's handler open until the suite ends.
const releaseCrashed = deferred();

beforeAll(async () => {
  server = await startNatsServer();
  const opts = { servers: server.url, logger: collectingLogger().logger };
  crashing = await connectBus({ ...opts, name: 'worker-a' });
  survivor = await connectBus({ ...opts, name: 'worker-b' });
  await survivor.ensureStream({ name: 'WORK', subjects: ['work.>'], retention: 'workqueue' });
  await survivor.ensureConsumer('WORK', { durable: 'actors', ackWaitMs: 500, maxDeliver: 3 });
});

afterAll(async () => {
  releaseCrashed.resolve();
  await crashing?.close();
  await survivor?.close();
  await server?.stop();
});

it('redelivers to another worker when the first dies without acking', async () => {
  const taken = deferred<number>();
  await crashing.consume(PromptTaskSchema, { stream: 'WORK', consumer: 'actors' }, async (msg) => {
    taken.resolve(msg.redeliveryCount);
    await releaseCrashed.promise; // never finishes before the connection is gone
  });
  await survivor.publish(PromptTaskSchema, 'work.tasks', create(PromptTaskSchema, { runId: 'r', taskId: 't-1' }));

  expect(await taken.promise).toBe(1);
  await crashing.close(); // the worker dies mid-message

  const redelivered: { taskId: string; count: number }[] = [];
  const handle = await survivor.consume(PromptTaskSchema, { stream: 'WORK', consumer: 'actors' }, (msg) => {
    redelivered.push({ taskId: msg.data.taskId, count: msg.redeliveryCount });
  });
  await waitFor('the redelivered task to be acked', () => handle.stats().acked === 1);
  await handle.stop();

  expect(redelivered).toEqual([{ taskId: 't-1', count: 2 }]);
  expect((await survivor.streamStats('WORK')).messages).toBe(0);
});
