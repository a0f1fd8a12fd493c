import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  decodeSafetensors,
  encodeSafetensors,
  readSafetensors,
  SafetensorsError,
  writeSafetensors,
  type NamedTensor,
} from '../src/index.js';

function sample(): Map<string, NamedTensor> {
  return new Map<string, NamedTensor>([
    ['a.weight', { shape: [2, 3], data: Float32Array.from([1, -2, 3.5, 4, 5e-8, -6e7]) }],
    ['b.bias', { shape: [1], data: Float32Array.from([Math.PI]) }],
    ['empty', { shape: [0, 4], data: new Float32Array(0) }],
    ['scalar', { shape: [], data: Float32Array.from([9]) }],
  ]);
}

/** Builds a file from a hand-written header (to test the reader against bad writers). */
function withHeader(header: unknown, dataBytes: number): Uint8Array {
  const text = Buffer.from(JSON.stringify(header), 'utf8');
  const out = new Uint8Array(8 + text.length + dataBytes);
  new DataView(out.buffer).setBigUint64(0, BigInt(text.length), true);
  out.set(text, 8);
  return out;
}

function expectError(bytes: Uint8Array, pattern: RegExp, tensor?: string): void {
  let caught: unknown;
  try {
    decodeSafetensors(bytes);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(SafetensorsError);
  expect((caught as Error).message).toMatch(pattern);
  expect((caught as SafetensorsError).tensor).toBe(tensor);
}

describe('safetensors', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vrft-safetensors-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('round-trips tensors and metadata through a file, with aligned data', async () => {
    const path = join(dir, 'round.safetensors');
    await writeSafetensors(path, sample(), { format: 'vrft', step: '12' });
    const bytes = await readFile(path);
    const headerLength = Number(bytes.readBigUInt64LE(0));
    expect((8 + headerLength) % 8).toBe(0);
    const header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString('utf8')) as Record<string, unknown>;
    expect(header['a.weight']).toEqual({ dtype: 'F32', shape: [2, 3], data_offsets: [0, 24] });
    const content = await readSafetensors(path);
    expect(content.metadata).toEqual({ format: 'vrft', step: '12' });
    for (const [name, tensor] of sample()) {
      expect(content.tensors.get(name)?.shape).toEqual(tensor.shape);
      expect(content.tensors.get(name)?.data).toEqual(tensor.data);
    }
    expect(await readdir(dir)).toEqual(['round.safetensors']); // no temporary file left behind
  });

  it('rejects a truncated file, naming the tensor cut short', () => {
    const bytes = encodeSafetensors(sample());
    expectError(bytes.subarray(0, 5), /truncated/);
    expectError(bytes.subarray(0, 20), /truncated: header/);
    expectError(bytes.subarray(0, bytes.length - 2), /outside/, 'scalar');
  });

  it('rejects a corrupted header', () => {
    const bytes = encodeSafetensors(sample()).slice();
    bytes[9] = 0xff; // invalid UTF-8 inside the JSON
    expectError(bytes, /corrupted header/);
    const notObject = withHeader([1, 2], 0);
    expectError(notObject, /not a JSON object/);
    const huge = new Uint8Array(16);
    new DataView(huge.buffer).setBigUint64(0, 2n ** 60n, true);
    expectError(huge, /exceeds/);
  });

  it('rejects offsets out of range, overlapping or inconsistent with the shape', () => {
    expectError(withHeader({ x: { dtype: 'F32', shape: [2], data_offsets: [0, 16] } }, 8), /outside/, 'x');
    expectError(withHeader({ x: { dtype: 'F32', shape: [2], data_offsets: [4, 0] } }, 8), /outside/, 'x');
    expectError(withHeader({ x: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, 8), /needs 12/, 'x');
    expectError(
      withHeader(
        {
          x: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
          y: { dtype: 'F32', shape: [1], data_offsets: [4, 8] },
        },
        8,
      ),
      /overlaps/,
      'y',
    );
    expectError(withHeader({ x: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, 8), /cover 4 of 8/);
    expectError(withHeader({ x: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, 4), /shape/, 'x');
    expectError(withHeader({ x: { dtype: 'F32', shape: [1] } }, 4), /data_offsets/, 'x');
  });

  it('rejects a dtype other than F32, naming the tensor', () => {
    expectError(withHeader({ half: { dtype: 'F16', shape: [2], data_offsets: [0, 4] } }, 4), /F16.*only F32/, 'half');
    expectError(withHeader({ __metadata__: { n: 3 } }, 0), /__metadata__\.n/);
  });

  it('reports an unreadable path', async () => {
    await expect(readSafetensors(join(dir, 'nope.safetensors'))).rejects.toThrow(/nope\.safetensors: cannot read/);
    const path = join(dir, 'garbage.safetensors');
    await writeFile(path, 'not safetensors at all');
    await expect(readSafetensors(path)).rejects.toThrow(SafetensorsError);
  });

  it('refuses to encode data that does not fit its shape', () => {
    const bad = new Map<string, NamedTensor>([['w', { shape: [2, 2], data: new Float32Array(3) }]]);
    expect(() => encodeSafetensors(bad)).toThrow(/tensor "w".*needs 4 values/);
  });
});
