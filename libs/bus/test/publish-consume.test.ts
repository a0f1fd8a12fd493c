import { create } from '@bufbuild/protobuf';
import { jetstream } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { type PromptTask, PromptTaskSchema, RolloutGroupSchema } from '@vrft/proto';
import { type NatsServer, startNatsServer } from '@vrft/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Bus, type BusMessage, BusOptionsError, PayloadTooLargeError, connectBus } from '../src/index.js';
import { collectingLogger, waitFor } from './helpers.js';

let server: NatsServer;
let bus: Bus;
const log = collectingLogger();

function task(taskId: string): PromptTask {
  return create(PromptTaskSchema, {
    runId: 'run-1',
    taskId,
    groupSize: 4,
    dataIndex: 7n,
    problem: { problemId: `p-${taskId}`, question: 'What moves first?', options: ['A. cube', 'B. ball'] },
  });
}

/** A fresh work-queue stream and consumer per test, so tests do not see each other's messages. */
async function freshQueue(name: string, ackWaitMs = 1_000): Promise<{ stream: string; subject: string }> {
  const stream = name.toUpperCase();
  await bus.ensureStream({ name: stream, subjects: [`${name}.>`], retention: 'workqueue' });
  await bus.ensureConsumer(stream, { durable: 'workers', ackWaitMs, maxDeliver: 5 });
  return { stream, subject: `${name}.tasks` };
}

beforeAll(async () => {
  server = await startNatsServer();
  bus = await connectBus({ servers: server.url, name: 'publish-consume-test', logger: log.logger });
});

afterAll(async () => {
  await bus?.close();
  await server?.stop();
});

describe('streams and consumers', () => {
  it('ensureStream is idempotent and updates limits in place', async () => {
    const spec = { name: 'IDEM', subjects: ['idem.>'], retention: 'workqueue' as const, duplicateWindowMs: 60_000 };
    const first = await bus.ensureStream(spec);
    await bus.publish(PromptTaskSchema, 'idem.a', task('t'));
    const second = await bus.ensureStream(spec);
    expect(first.messages).toBe(0);
    expect(second.messages).toBe(1); // same stream, data kept
    await bus.ensureStream({ ...spec, maxAgeMs: 3_600_000 });

    const nc = await connect({ servers: server.url });
    const info = await (await jetstream(nc).jetstreamManager()).streams.info('IDEM');
    await nc.close();
    expect(info.config.max_age).toBe(3_600_000 * 1_000_000);
    expect(info.config.retention).toBe('workqueue');
    expect(info.config.duplicate_window).toBe(60_000 * 1_000_000);
    expect(info.state.messages).toBe(1);
  });

  it('refuses to change retention and names the field', async () => {
    await bus.ensureStream({ name: 'FIXED', subjects: ['fixed.>'], retention: 'workqueue' });
    const change = bus.ensureStream({ name: 'FIXED', subjects: ['fixed.>'], retention: 'limits' });
    await expect(change).rejects.toThrow(BusOptionsError);
    await expect(bus.ensureStream({ name: 'FIXED', subjects: ['fixed.>'] })).rejects.toThrow(/stream\.retention/);
  });

  it('ensureConsumer creates then updates ack wait, backoff and filters', async () => {
    // Limits retention: a work queue allows only one unfiltered consumer.
    await bus.ensureStream({ name: 'CONS', subjects: ['cons.>'] });
    await bus.ensureConsumer('CONS', { durable: 'workers', ackWaitMs: 1_000 });
    const again = await bus.ensureConsumer('CONS', { durable: 'workers', ackWaitMs: 2_000, maxAckPending: 8 });
    expect(again.durable).toBe('workers');
    await bus.ensureConsumer('CONS', { durable: 'backoff', maxDeliver: 4, backoffMs: [100, 400] });
    await bus.ensureConsumer('CONS', { durable: 'backoff', maxDeliver: 4, backoffMs: [100, 400] });
    await bus.ensureConsumer('CONS', { durable: 'filtered', filterSubject: 'cons.only' });

    const nc = await connect({ servers: server.url });
    const jsm = await jetstream(nc).jetstreamManager();
    const info = await jsm.consumers.info('CONS', 'workers');
    const withBackoff = await jsm.consumers.info('CONS', 'backoff');
    await nc.close();
    expect(info.config.ack_wait).toBe(2_000 * 1_000_000);
    expect(info.config.max_ack_pending).toBe(8);
    expect(info.config.ack_policy).toBe('explicit');
    expect(withBackoff.config.max_deliver).toBe(4);
    expect(withBackoff.config.backoff).toEqual([100 * 1_000_000, 400 * 1_000_000]);
    expect(withBackoff.config.ack_wait).toBe(100 * 1_000_000);

    await bus.publish(PromptTaskSchema, 'cons.other', task('o'));
    await bus.publish(PromptTaskSchema, 'cons.only', task('f'));
    expect((await bus.consumerStats('CONS', 'filtered')).pending).toBe(1);
    expect((await bus.consumerStats('CONS', 'workers')).pending).toBe(2);
  });

  it('rejects bad specs with the field name', async () => {
    await expect(bus.ensureStream({ name: 'bad name', subjects: ['x'] })).rejects.toThrow(/stream\.name/);
    await expect(bus.ensureStream({ name: 'NOSUBJ', subjects: [] })).rejects.toThrow(/stream\.subjects/);
    await expect(bus.ensureStream({ name: 'S', subjects: ['a.>.b'] })).rejects.toThrow(/stream\.subjects\[0\]/);
    await expect(bus.ensureConsumer('CONS', { durable: 'w', maxDeliver: 2, backoffMs: [10, 20] })).rejects.toThrow(
      /consumer\.backoffMs/,
    );
    await expect(bus.ensureConsumer('CONS', { durable: 'w', ackWaitMs: 0 })).rejects.toThrow(/consumer\.ackWaitMs/);
  });
});

describe('publish and consume', () => {
  it('delivers a typed message and removes it from the work queue after ack', async () => {
    const { stream, subject } = await freshQueue('basic');
    const ack = await bus.publish(PromptTaskSchema, subject, task('t1'), { headers: { 'x-run': 'run-1' } });
    expect(ack).toEqual({ stream, seq: 1, duplicate: false });
    expect((await bus.streamStats(stream)).messages).toBe(1);

    const seen: BusMessage<PromptTask>[] = [];
    const handle = await bus.consume(PromptTaskSchema, { stream, consumer: 'workers' }, (msg) => {
      seen.push(msg);
    });
    await waitFor('one message handled', () => handle.stats().acked === 1);
    await handle.stop();

    expect(seen).toHaveLength(1);
    const [msg] = seen;
    expect(msg?.data.taskId).toBe('t1');
    expect(msg?.data.dataIndex).toBe(7n);
    expect(msg?.data.problem?.options).toEqual(['A. cube', 'B. ball']);
    expect(msg?.subject).toBe(subject);
    expect(msg?.headers['x-run']).toBe('run-1');
    expect(msg?.redeliveryCount).toBe(1);
    expect(msg?.settlement).toBe('ack');
    expect((await bus.streamStats(stream)).messages).toBe(0);
  });

  it('drops a repeated msgId within the duplicate window', async () => {
    const { stream, subject } = await freshQueue('dedup');
    const first = await bus.publish(PromptTaskSchema, subject, task('t1'), { msgId: 'run-1/t1' });
    const second = await bus.publish(PromptTaskSchema, subject, task('t1'), { msgId: 'run-1/t1' });
    const other = await bus.publish(PromptTaskSchema, subject, task('t2'), { msgId: 'run-1/t2' });
    expect(first.duplicate).toBe(false);
    expect(second.duplicate).toBe(true);
    expect(second.seq).toBe(first.seq);
    expect(other.seq).toBe(first.seq + 1);
    expect((await bus.streamStats(stream)).messages).toBe(2);
  });

  it('redelivers after nak', async () => {
    const { stream, subject } = await freshQueue('nak');
    await bus.publish(PromptTaskSchema, subject, task('t1'));
    const counts: number[] = [];
    const handle = await bus.consume(PromptTaskSchema, { stream, consumer: 'workers' }, (msg) => {
      counts.push(msg.redeliveryCount);
      if (msg.redeliveryCount === 1) msg.nak(50);
    });
    await waitFor('ack after a nak', () => handle.stats().acked === 1);
    await handle.stop();
    expect(counts).toEqual([1, 2]);
    expect(handle.stats()).toMatchObject({ received: 2, naked: 1, acked: 1, handlerErrors: 0 });
    expect((await bus.streamStats(stream)).messages).toBe(0);
  });

  it('naks with a delay when the handler throws, then succeeds', async () => {
    const { stream, subject } = await freshQueue('throws');
    await bus.publish(PromptTaskSchema, subject, task('t1'));
    const handle = await bus.consume(
      PromptTaskSchema,
      { stream, consumer: 'workers' },
      (msg) => {
        if (msg.redeliveryCount < 3) throw new Error(`flaky ${msg.redeliveryCount}`);
      },
      { nakDelayMs: 50 },
    );
    await waitFor('third delivery acked', () => handle.stats().acked === 1);
    await handle.stop();
    expect(handle.stats()).toMatchObject({ received: 3, naked: 2, handlerErrors: 2, acked: 1 });
    expect(log.entries.some((e) => e.level === 'warn' && /handler failed/.test(e.message))).toBe(true);
  });

  it('terminates an undecodable message instead of retrying it', async () => {
    const { stream, subject } = await freshQueue('poison', 300);
    const nc = await connect({ servers: server.url });
    // 0x0f: field 1 with wire type 7, which does not exist.
    await jetstream(nc).publish(subject, Uint8Array.of(0x0f, 0x01));
    await nc.close();
    await bus.publish(PromptTaskSchema, subject, task('good'));

    const handled: string[] = [];
    const handle = await bus.consume(PromptTaskSchema, { stream, consumer: 'workers' }, (msg) => {
      handled.push(msg.data.taskId);
    });
    await waitFor('good message acked', () => handle.stats().acked === 1);
    // Longer than the ack wait: a message that was not terminated would come back.
    await new Promise((r) => setTimeout(r, 700));
    await handle.stop();

    expect(handled).toEqual(['good']);
    expect(handle.stats()).toMatchObject({ received: 2, decodeFailures: 1, terminated: 1, acked: 1 });
    const consumer = await bus.consumerStats(stream, 'workers');
    expect(consumer.ackPending).toBe(0);
    expect(consumer.pending).toBe(0);
    const poisonLog = log.entries.find((e) => /undecodable/.test(e.message));
    expect(poisonLog?.fields?.['type']).toBe('vrft.bus.v1.PromptTask');
  });

  it('runs handlers concurrently up to the limit', async () => {
    const { stream, subject } = await freshQueue('conc');
    for (let i = 0; i < 6; i++) await bus.publish(PromptTaskSchema, subject, task(`t${i}`));
    let running = 0;
    let peak = 0;
    const handle = await bus.consume(
      PromptTaskSchema,
      { stream, consumer: 'workers' },
      async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 40));
        running--;
      },
      { concurrency: 3 },
    );
    await waitFor('all six acked', () => handle.stats().acked === 6);
    await handle.stop();
    expect(peak).toBeGreaterThan(1);
    expect(peak).toBeLessThanOrEqual(3);
  });

  it('fails fast for a consumer that does not exist', async () => {
    await freshQueue('missing');
    await expect(
      bus.consume(PromptTaskSchema, { stream: 'MISSING', consumer: 'nobody' }, () => undefined),
    ).rejects.toThrow();
  });
});

describe('size limits', () => {
  it('tells the caller to use the object store when a message exceeds max_payload', async () => {
    const { subject } = await freshQueue('big');
    const huge = create(RolloutGroupSchema, { runId: 'r', actorId: 'x'.repeat(bus.maxPayloadBytes() + 10) });
    const publish = bus.publish(RolloutGroupSchema, subject, huge);
    await expect(publish).rejects.toThrow(PayloadTooLargeError);
    await expect(bus.publish(RolloutGroupSchema, subject, huge)).rejects.toThrow(/object store/);
  });

  it('maps the stream max message size to the same error', async () => {
    await bus.ensureStream({ name: 'SMALL', subjects: ['small.>'], maxMsgBytes: 64 });
    const group = create(RolloutGroupSchema, { runId: 'r', actorId: 'y'.repeat(200) });
    await expect(bus.publish(RolloutGroupSchema, 'small.x', group)).rejects.toThrow(PayloadTooLargeError);
  });

  it('rejects a wildcard publish subject', async () => {
    await expect(bus.publish(PromptTaskSchema, 'tasks.*', task('t'))).rejects.toThrow(/"subject"/);
  });
});
