import { type DescField, type DescMessage, create, toBinary } from '@bufbuild/protobuf';
import { ScalarType } from '@bufbuild/protobuf';

/** A seeded PRNG (mulberry32): fuzz cases are reproducible from their seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Limits of generated messages. */
export interface FuzzLimits {
  maxDepth: number;
  maxRepeated: number;
  maxStringChars: number;
  maxBytes: number;
}

const defaultLimits: FuzzLimits = { maxDepth: 4, maxRepeated: 8, maxStringChars: 64, maxBytes: 256 };

type Random = () => number;
const pick = <T>(random: Random, values: readonly T[]): T => values[Math.floor(random() * values.length)] as T;

function randomString(random: Random, limits: FuzzLimits): string {
  const length = Math.floor(random() * limits.maxStringChars);
  let text = '';
  for (let i = 0; i < length; i++) {
    // Mostly ASCII, sometimes astral or combining code points.
    const codePoint =
      random() < 0.8 ? 32 + Math.floor(random() * 95) : pick(random, [0x301, 0x4e2d, 0x1f600, 0x10ffff]);
    text += String.fromCodePoint(codePoint);
  }
  return text;
}

function randomScalar(random: Random, type: ScalarType, limits: FuzzLimits): unknown {
  switch (type) {
    case ScalarType.STRING:
      return randomString(random, limits);
    case ScalarType.BYTES:
      return Uint8Array.from({ length: Math.floor(random() * limits.maxBytes) }, () => Math.floor(random() * 256));
    case ScalarType.BOOL:
      return random() < 0.5;
    case ScalarType.DOUBLE:
    case ScalarType.FLOAT:
      return pick(random, [0, -1, 1e38, -1e-38, Number.NaN, Infinity, -Infinity, random() * 10]);
    case ScalarType.INT64:
    case ScalarType.SINT64:
    case ScalarType.SFIXED64:
      return pick(random, [0n, -1n, 9223372036854775807n, -9223372036854775808n, 42n]);
    case ScalarType.UINT64:
    case ScalarType.FIXED64:
      return pick(random, [0n, 1n, 18446744073709551615n, 42n]);
    case ScalarType.UINT32:
    case ScalarType.FIXED32:
      return pick(random, [0, 1, 4294967295, 64]);
    default:
      return pick(random, [0, -1, 2147483647, -2147483648, 7]);
  }
}

function randomFieldValue(random: Random, field: DescField, depth: number, limits: FuzzLimits): unknown {
  switch (field.fieldKind) {
    case 'scalar':
      return randomScalar(random, field.scalar, limits);
    case 'enum':
      return random() < 0.8 ? pick(random, field.enum.values).number : Math.floor(random() * 1000) - 500;
    case 'message':
      return randomInit(random, field.message, depth + 1, limits);
    case 'list': {
      const length = Math.floor(random() * limits.maxRepeated);
      return Array.from({ length }, () => {
        if (field.listKind === 'scalar') return randomScalar(random, field.scalar, limits);
        if (field.listKind === 'enum') return pick(random, field.enum.values).number;
        return randomInit(random, field.message, depth + 1, limits);
      });
    }
    case 'map': {
      const entries: Record<string, unknown> = {};
      for (let i = 0; i < Math.floor(random() * limits.maxRepeated); i++) {
        const value =
          field.mapKind === 'scalar'
            ? randomScalar(random, field.scalar, limits)
            : field.mapKind === 'enum'
              ? pick(random, field.enum.values).number
              : randomInit(random, field.message, depth + 1, limits);
        entries[`k${i}`] = value;
      }
      return entries;
    }
  }
}

function randomInit(random: Random, schema: DescMessage, depth: number, limits: FuzzLimits): Record<string, unknown> {
  const init: Record<string, unknown> = {};
  if (depth > limits.maxDepth) return init;
  for (const field of schema.fields) {
    if (random() < 0.4) continue;
    if (field.oneof) {
      if (init[field.oneof.localName] !== undefined) continue;
      init[field.oneof.localName] = { case: field.localName, value: randomFieldValue(random, field, depth, limits) };
    } else {
      init[field.localName] = randomFieldValue(random, field, depth, limits);
    }
  }
  return init;
}

/** A random, well-formed encoding of a message of `schema` (fields set at random, extreme values). */
export function randomMessageBytes(schema: DescMessage, random: Random, limits: Partial<FuzzLimits> = {}): Uint8Array {
  const all = { ...defaultLimits, ...limits };
  return toBinary(schema, create(schema, randomInit(random, schema, 0, all) as never));
}

/**
 * Malformed variants of an encoding: truncated, bytes flipped, an invalid wire
 * type, a length prefix running past the end, invalid UTF-8 in a length-delimited field.
 */
export function mutateBytes(bytes: Uint8Array, random: Random): Uint8Array {
  const copy = Uint8Array.from(bytes);
  switch (Math.floor(random() * 5)) {
    case 0:
      return copy.subarray(0, Math.floor(random() * copy.length));
    case 1:
      for (let i = 0; i < Math.max(1, copy.length / 16); i++) {
        const at = Math.floor(random() * copy.length);
        copy[at] = (copy[at] ?? 0) ^ 0xff;
      }
      return copy;
    case 2:
      return Uint8Array.from([...copy, 0x0f]); // field 1, wire type 7 (does not exist)
    case 3:
      return Uint8Array.from([0x0a, 0xff, 0xff, 0xff, 0x0f, ...copy]); // field 1, length ~4 GiB
    default:
      return Uint8Array.from([0x0a, 0x04, 0xc3, 0x28, 0xa0, 0xa1, ...copy]); // field 1: invalid UTF-8
  }
}
