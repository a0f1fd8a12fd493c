import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { create } from '@bufbuild/protobuf';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { Objm } from '@nats-io/obj';
import { connect } from '@nats-io/transport-node';
import { ObjectRefSchema } from '@vrft/proto';
import { type NatsServer, startNatsServer } from '@vrft/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlobNotFoundError, type Bus, BusOptionsError, DigestMismatchError, connectBus } from '../src/index.js';
import { collectingLogger } from './helpers.js';

let server: NatsServer;
let bus: Bus;

function sha256Hex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

beforeAll(async () => {
  server = await startNatsServer();
  bus = await connectBus({ servers: server.url, logger: collectingLogger().logger });
});

afterAll(async () => {
  await bus?.close();
  await server?.stop();
});

describe('object store', () => {
  it('round-trips 20 MB with its SHA-256', async () => {
    const data = randomBytes(20 * 1024 * 1024);
    const ref = await bus.putBlob('weights', 'run-1/step-10.bin', data);
    expect(ref.bucket).toBe('weights');
    expect(ref.name).toBe('run-1/step-10.bin');
    expect(ref.sizeBytes).toBe(BigInt(data.length));
    expect(ref.sha256).toBe(sha256Hex(data));

    const back = await bus.getBlob(ref);
    expect(back.length).toBe(data.length);
    expect(Buffer.compare(Buffer.from(back.buffer, back.byteOffset, back.length), data)).toBe(0);
  });

  it('stores from a Node stream and a web ReadableStream, and streams back', async () => {
    const parts = [randomBytes(300_000), randomBytes(5), randomBytes(200_000)];
    const whole = Buffer.concat(parts);
    const fromNode = await bus.putBlob('clips', 'node.bin', Readable.from(parts));
    const web = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const p of parts) controller.enqueue(p);
        controller.close();
      },
    });
    const fromWeb = await bus.putBlob('clips', 'web.bin', web);
    expect(fromNode.sha256).toBe(sha256Hex(whole));
    expect(fromWeb.sha256).toBe(fromNode.sha256);

    const chunks: Uint8Array[] = [];
    for await (const chunk of bus.streamBlob(fromWeb)) chunks.push(chunk);
    expect(chunks.length).toBeGreaterThan(1);
    expect(Buffer.concat(chunks).equals(whole)).toBe(true);
  });

  it('stores an empty blob', async () => {
    const ref = await bus.putBlob('clips', 'empty.bin', new Uint8Array(0));
    expect(ref.sizeBytes).toBe(0n);
    expect(ref.sha256).toBe(sha256Hex(new Uint8Array(0)));
    expect((await bus.getBlob(ref)).length).toBe(0);
  });

  it('detects a blob replaced under the same name', async () => {
    const first = randomBytes(4096);
    const oldRef = await bus.putBlob('clips', 'replaced.bin', first);
    const second = Buffer.from(first);
    second[100] = (second[100] ?? 0) ^ 0xff; // same size, different content
    await bus.putBlob('clips', 'replaced.bin', second);

    const read = bus.getBlob(oldRef);
    await expect(read).rejects.toThrow(DigestMismatchError);
    await expect(bus.getBlob(oldRef)).rejects.toThrow(/does not match/);
  });

  it('detects a reference whose digest was tampered with', async () => {
    const data = randomBytes(1000);
    const ref = await bus.putBlob('clips', 'tamper.bin', data);
    const wrongDigest = create(ObjectRefSchema, { ...ref, sha256: sha256Hex(randomBytes(8)) });
    await expect(bus.getBlob(wrongDigest)).rejects.toThrow(DigestMismatchError);
    const wrongSize = create(ObjectRefSchema, { ...ref, sizeBytes: ref.sizeBytes + 1n });
    await expect(bus.getBlob(wrongSize)).rejects.toThrow(DigestMismatchError);
  });

  it('detects stored chunks that were corrupted behind the metadata', async () => {
    const data = randomBytes(600_000);
    const ref = await bus.putBlob('clips', 'corrupt.bin', data);

    // Rewrite the last chunk in place with one flipped byte, keeping the object's metadata.
    const nc = await connect({ servers: server.url });
    try {
      const info = await new Objm(nc).open('clips').then((os) => os.info('corrupt.bin'));
      expect(info).not.toBeNull();
      const chunkSubject = `$O.clips.C.${info?.nuid ?? ''}`;
      const jsm = await jetstreamManager(nc);
      const last = await jsm.streams.getMessage('OBJ_clips', { last_by_subj: chunkSubject });
      expect(last).not.toBeNull();
      const tampered = Uint8Array.from(last?.data ?? []);
      tampered[0] = (tampered[0] ?? 0) ^ 0x01;
      await jsm.streams.deleteMessage('OBJ_clips', last?.seq ?? 0);
      await jetstream(nc).publish(chunkSubject, tampered);
    } finally {
      await nc.close();
    }

    const err = await bus.getBlob(ref).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DigestMismatchError);
    expect((err as DigestMismatchError).actual.sizeBytes).toBe(BigInt(data.length));
    expect((err as DigestMismatchError).actual.sha256).not.toBe(ref.sha256);
  });

  it('deletes blobs and reports missing ones', async () => {
    const ref = await bus.putBlob('clips', 'gone.bin', randomBytes(10));
    expect(await bus.deleteBlob('clips', 'gone.bin')).toBe(true);
    expect(await bus.deleteBlob('clips', 'gone.bin')).toBe(false);
    await expect(bus.getBlob(ref)).rejects.toThrow(BlobNotFoundError);
    const inMissingBucket = create(ObjectRefSchema, { ...ref, bucket: 'nobucket' });
    await expect(bus.getBlob(inMissingBucket)).rejects.toThrow(BlobNotFoundError);
    expect(await bus.deleteBlob('nobucket', 'x')).toBe(false);
  });

  it('creates buckets with the requested settings and validates refs', async () => {
    await bus.ensureBlobBucket('capped', { storage: 'memory', maxBucketBytes: 1024 * 1024 });
    const nc = await connect({ servers: server.url });
    const info = await (await jetstreamManager(nc)).streams.info('OBJ_capped');
    await nc.close();
    expect(info.config.storage).toBe('memory');
    expect(info.config.max_bytes).toBe(1024 * 1024);

    await expect(bus.putBlob('capped', 'too-big', randomBytes(2 * 1024 * 1024))).rejects.toThrow();
    await expect(bus.ensureBlobBucket('bad', { maxBucketBytes: 0 })).rejects.toThrow(/bucket\.maxBucketBytes/);
    const badRef = create(ObjectRefSchema, { bucket: 'clips', name: 'x', sha256: 'ABC', sizeBytes: 1n });
    await expect(bus.getBlob(badRef)).rejects.toThrow(BusOptionsError);
    await expect(bus.putBlob('bad bucket', 'x', new Uint8Array(1))).rejects.toThrow(/"bucket"/);
  });
});
