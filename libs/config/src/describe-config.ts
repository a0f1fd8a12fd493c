import type { z } from 'zod';
import { configFileVariable } from './load-config.js';
import { type AnySchema, mapSchema, unwrapSchema } from './schema-walk.js';

/** One documented setting: what to set, its type, default and meaning. */
export interface ConfigRow {
  /** Environment variable, e.g. `VRFT_GRPC__PORT`. */
  env: string;
  /** Dotted field path (the key path in the JSON file); '' for the config-file variable itself. */
  path: string;
  /** Human-readable type, e.g. `integer`, `one of debug | info`, `list of string`. */
  type: string;
  /** Default as it would be written in the variable; undefined when there is none. */
  default: string | undefined;
  /** True when the app cannot start without it. */
  required: boolean;
  /** The field's `.describe()` text ('' when missing). */
  description: string;
}

/**
 * Lists every setting of a config schema, for generated documentation: first the config-file
 * variable, then one row per leaf field in schema order.
 */
export function describeConfig(schema: AnySchema, prefix = 'VRFT_'): ConfigRow[] {
  const map = mapSchema(schema, prefix, [configFileVariable(prefix)]);
  const rows: ConfigRow[] = [
    {
      env: configFileVariable(prefix),
      path: '',
      type: 'file path',
      default: undefined,
      required: false,
      description: 'JSON file read first; environment variables override its values',
    },
  ];
  for (const field of map.fields) {
    const underOptional = map.objects.some(
      (node) => node.optional && node.path.every((key, index) => field.path[index] === key),
    );
    rows.push({
      env: field.envName,
      path: field.path.join('.'),
      type: describeType(field.core),
      default: field.hasDefault ? renderDefault(field.defaultValue) : undefined,
      required: !field.optional && !underOptional,
      description: field.description ?? '',
    });
  }
  return rows;
}

/** A readable type name for a (core) schema. */
function describeType(schema: AnySchema): string {
  const { core } = unwrapSchema(schema);
  const def = core._zod.def;
  switch (def.type) {
    case 'string': {
      const format = (def as z.core.$ZodStringFormatDef).format;
      return format === undefined ? 'string' : `string (${format})`;
    }
    case 'number':
      return isInteger(def as z.core.$ZodNumberDef) ? 'integer' : 'number';
    case 'enum':
      return `one of ${Object.values((def as z.core.$ZodEnumDef).entries).join(' | ')}`;
    case 'literal':
      return `one of ${(def as z.core.$ZodLiteralDef<z.core.util.Literal>).values.map(String).join(' | ')}`;
    case 'array':
      return `list of ${describeType((def as z.core.$ZodArrayDef).element)}`;
    case 'set':
      return `list of ${describeType((def as z.core.$ZodSetDef).valueType)}`;
    case 'union':
      return (def as z.core.$ZodUnionDef).options.map(describeType).join(' or ');
    case 'object':
    case 'record':
    case 'map':
    case 'intersection':
      return 'JSON object';
    case 'tuple':
      return 'JSON array';
    case 'any':
    case 'unknown':
      return 'JSON';
    default:
      return def.type;
  }
}

function isInteger(def: z.core.$ZodNumberDef): boolean {
  const formats = [
    (def as { format?: string }).format,
    ...(def.checks ?? []).map((check) => (check._zod.def as { format?: string }).format),
  ];
  return formats.some((format) => format !== undefined && /int/.test(format));
}

/** Renders a default the way it would be written in the variable (lists comma-separated). */
function renderDefault(value: unknown): string {
  if (typeof value === 'string') return value;
  const scalars = Array.isArray(value) && value.every((item) => typeof item !== 'object' || item === null);
  if (scalars) return value.map(String).join(',');
  return JSON.stringify(value) ?? String(value);
}
