import { z } from 'zod';
import { ConfigError } from './config-error.js';

/** Any zod 4 schema (classic or core). */
export type AnySchema = z.core.$ZodType;

/** A schema with its wrappers (optional, default, pipe, ...) peeled off. */
export interface UnwrappedSchema {
  /** The innermost schema that decides the value's type. */
  core: AnySchema;
  /** True when the field may be absent (optional, nullable, default, prefault or catch). */
  optional: boolean;
  hasDefault: boolean;
  defaultValue: unknown;
  /** The outermost `.describe()` text found while peeling. */
  description: string | undefined;
}

/** A leaf field: one environment variable. */
export interface FieldInfo extends UnwrappedSchema {
  path: readonly string[];
  envName: string;
}

/** A nested z.object reached through object shapes; its fields map to `PARENT__CHILD` names. */
export interface ObjectNode {
  path: readonly string[];
  optional: boolean;
  keys: ReadonlySet<string>;
  /** False when the object accepts unknown keys (`.loose()`, `.catchall()`). */
  strict: boolean;
}

/** Every leaf and nested object of a config schema, with its environment variable name. */
export interface SchemaMap {
  fields: readonly FieldInfo[];
  objects: readonly ObjectNode[];
  byEnvName: ReadonlyMap<string, FieldInfo>;
}

// Recursive (z.lazy) schemas would never bottom out; config trees are shallow.
const MAX_UNWRAP_STEPS = 64;

/** Peels wrapper schemas, collecting optionality, the default and the description. */
export function unwrapSchema(schema: AnySchema): UnwrappedSchema {
  let current = schema;
  let optional = false;
  let hasDefault = false;
  let defaultValue: unknown = undefined;
  let description: string | undefined;
  for (let step = 0; step < MAX_UNWRAP_STEPS; step += 1) {
    description ??= z.globalRegistry.get(current)?.description;
    const def = current._zod.def;
    switch (def.type) {
      case 'optional':
      case 'nullable':
      case 'catch':
        optional = true;
        current = (def as z.core.$ZodOptionalDef).innerType;
        break;
      case 'default':
      case 'prefault':
        optional = true;
        if (!hasDefault) {
          hasDefault = true;
          defaultValue = (def as z.core.$ZodDefaultDef).defaultValue;
        }
        current = (def as z.core.$ZodDefaultDef).innerType;
        break;
      case 'readonly':
      case 'nonoptional':
        current = (def as z.core.$ZodReadonlyDef).innerType;
        break;
      case 'pipe': {
        // The input side decides what the raw value must look like; a preprocess step
        // (a transform as input) says nothing, so look at the output side then.
        const pipe = def as z.core.$ZodPipeDef;
        current = pipe.in._zod.def.type === 'transform' ? pipe.out : pipe.in;
        break;
      }
      case 'lazy':
        current = (def as z.core.$ZodLazyDef).getter();
        break;
      default:
        return { core: current, optional, hasDefault, defaultValue, description };
    }
  }
  throw new ConfigError([
    { path: '', source: { kind: 'options' }, message: 'schema nests wrappers too deeply (recursive z.lazy?)' },
  ]);
}

/** Converts a field name to its environment segment: `maxReceiveMessageBytes` → `MAX_RECEIVE_MESSAGE_BYTES`. */
export function toEnvSegment(key: string): string {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .toUpperCase();
}

/** The environment variable for a field path: prefix + segments joined by `__`. */
export function envNameFor(prefix: string, path: readonly string[]): string {
  return prefix + path.map(toEnvSegment).join('__');
}

/**
 * Walks a config schema (a z.object at the root, possibly wrapped) and lists its leaves and
 * nested objects. Throws ConfigError when the root is not an object or two fields map to the
 * same environment variable.
 */
export function mapSchema(schema: AnySchema, prefix: string, reserved: readonly string[] = []): SchemaMap {
  const root = unwrapSchema(schema);
  if (root.core._zod.def.type !== 'object') {
    throw new ConfigError([
      {
        path: '',
        source: { kind: 'options' },
        message: `config schema must be a z.object, got ${root.core._zod.def.type}`,
      },
    ]);
  }
  const fields: FieldInfo[] = [];
  const objects: ObjectNode[] = [];
  const visit = (object: AnySchema, path: readonly string[], optional: boolean): void => {
    const def = object._zod.def as z.core.$ZodObjectDef;
    const shape = def.shape;
    objects.push({ path, optional, keys: new Set(Object.keys(shape)), strict: isStrictObject(def) });
    for (const [key, child] of Object.entries(shape)) {
      const childPath = [...path, key];
      const unwrapped = unwrapSchema(child);
      if (unwrapped.core._zod.def.type === 'object') visit(unwrapped.core, childPath, unwrapped.optional);
      else fields.push({ ...unwrapped, path: childPath, envName: envNameFor(prefix, childPath) });
    }
  };
  visit(root.core, [], root.optional);

  const byEnvName = new Map<string, FieldInfo>();
  for (const field of fields) {
    const clash = byEnvName.get(field.envName);
    if (clash !== undefined || reserved.includes(field.envName)) {
      const other = clash === undefined ? 'a reserved variable' : `field ${clash.path.join('.')}`;
      throw new ConfigError([
        {
          path: field.path.join('.'),
          source: { kind: 'options' },
          message: `maps to ${field.envName}, which is already ${other}; rename one of them`,
        },
      ]);
    }
    byEnvName.set(field.envName, field);
  }
  return { fields, objects, byEnvName };
}

function isStrictObject(def: z.core.$ZodObjectDef): boolean {
  // Plain z.object strips unknown keys silently; we report them (typos must not pass), unless
  // the schema explicitly accepts extra keys with a catchall.
  const catchall = def.catchall;
  return catchall === undefined || catchall._zod.def.type === 'never';
}
