import { z } from 'zod';
import { type AnySchema, unwrapSchema } from './schema-walk.js';

/** Result of turning an environment string into a value of the field's type. */
export type CoerceResult = { ok: true; value: unknown } | { ok: false; message: string };

/**
 * Converts one environment string to the type the schema expects: numbers, booleans
 * (true/false/1/0), enum members, comma-separated or JSON lists, JSON for objects and records.
 * A string that does not convert is passed through unchanged, so that the schema's own
 * validation reports it with the schema's message; only malformed JSON fails here.
 */
export function coerceEnvValue(schema: AnySchema, raw: string): CoerceResult {
  const { core } = unwrapSchema(schema);
  const def = core._zod.def;
  switch (def.type) {
    case 'number':
      return { ok: true, value: parseNumber(raw) ?? raw };
    case 'bigint':
      return { ok: true, value: parseBigInt(raw) ?? raw };
    case 'boolean':
      return { ok: true, value: parseBoolean(raw) ?? raw };
    case 'date': {
      const date = new Date(raw.trim());
      return { ok: true, value: Number.isNaN(date.getTime()) ? raw : date };
    }
    case 'enum':
      return { ok: true, value: matchChoice(Object.values((def as z.core.$ZodEnumDef).entries), raw) };
    case 'literal':
      return { ok: true, value: matchChoice((def as z.core.$ZodLiteralDef<z.core.util.Literal>).values, raw) };
    case 'array':
      return coerceList((def as z.core.$ZodArrayDef).element, raw);
    case 'set':
      return coerceList((def as z.core.$ZodSetDef).valueType, raw);
    case 'union':
      return { ok: true, value: coerceUnion((def as z.core.$ZodUnionDef).options, raw) };
    case 'object':
    case 'record':
    case 'tuple':
    case 'intersection':
    case 'map':
    case 'any':
    case 'unknown':
      return parseJson(raw, 'JSON');
    default:
      return { ok: true, value: raw };
  }
}

/** Parses a decimal or exponent number; `undefined` when the text is not one. */
function parseNumber(raw: string): number | undefined {
  const text = raw.trim();
  // Number('') is 0 and Number('0x1f') is 31; only plain decimal notation is accepted.
  if (!/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(text)) return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

function parseBigInt(raw: string): bigint | undefined {
  const text = raw.trim();
  return /^[-+]?\d+$/.test(text) ? BigInt(text) : undefined;
}

function parseBoolean(raw: string): boolean | undefined {
  const text = raw.trim().toLowerCase();
  if (text === 'true' || text === '1') return true;
  if (text === 'false' || text === '0') return false;
  return undefined;
}

function matchChoice(values: readonly unknown[], raw: string): unknown {
  const found = values.find((value) => String(value) === raw.trim());
  return found === undefined ? raw : found;
}

function coerceList(element: AnySchema, raw: string): CoerceResult {
  const text = raw.trim();
  if (text.startsWith('[')) return parseJson(text, 'a JSON array or a comma-separated list');
  const values: unknown[] = [];
  for (const part of text.split(',')) {
    const coerced = coerceEnvValue(element, part.trim());
    if (!coerced.ok) return coerced;
    values.push(coerced.value);
  }
  return { ok: true, value: values };
}

function coerceUnion(options: readonly AnySchema[], raw: string): unknown {
  // Take the first option that both converts the text and accepts the result.
  for (const option of options) {
    const coerced = coerceEnvValue(option, raw);
    if (coerced.ok && z.safeParse(option, coerced.value).success) return coerced.value;
  }
  return raw;
}

function parseJson(raw: string, expected: string): CoerceResult {
  try {
    return { ok: true, value: JSON.parse(raw) as unknown };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { ok: false, message: `expected ${expected} (${reason})` };
  }
}
