/**
 * Field readers for validating parsed JSON. Each throws a TokenizerFormatError that names the
 * dotted path of the offending field.
 */
import { TokenizerFormatError } from './errors.js';

/** A parsed JSON object. */
export type JsonObject = { readonly [key: string]: unknown };

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  if (typeof value === 'number') return `the number ${value}`;
  return `a ${typeof value}`;
}

/** Reads an object (not null, not an array). */
export function readObject(value: unknown, field: string): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TokenizerFormatError(field, `expected an object, got ${describe(value)}`);
  }
  return value as JsonObject;
}

/** Reads an array. */
export function readArray(value: unknown, field: string): readonly unknown[] {
  if (!Array.isArray(value)) throw new TokenizerFormatError(field, `expected an array, got ${describe(value)}`);
  return value;
}

/** Reads a string. */
export function readString(value: unknown, field: string): string {
  if (typeof value !== 'string') throw new TokenizerFormatError(field, `expected a string, got ${describe(value)}`);
  return value;
}

/** Reads a boolean; an absent value takes the fallback. */
export function readBoolean(value: unknown, field: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new TokenizerFormatError(field, `expected a boolean, got ${describe(value)}`);
  return value;
}

/** Reads an integer in [0, limit). */
export function readIndex(value: unknown, field: string, limit: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value >= limit) {
    throw new TokenizerFormatError(field, `expected an integer in [0, ${limit}), got ${describe(value)}`);
  }
  return value;
}

/** Reads an object's `type` tag. */
export function readType(value: JsonObject, field: string): string {
  return readString(value['type'], `${field}.type`);
}
