import { z } from 'zod';
import { type ConfigIssue, type ConfigSource, ConfigError } from './config-error.js';
import { coerceEnvValue } from './coerce-env.js';
import { describeExpectation, isSecretPath, previewValue, suggestClosest } from './issue-text.js';
import { isPlainObject, readConfigFile } from './read-config-file.js';
import { type AnySchema, type SchemaMap, envNameFor, mapSchema } from './schema-walk.js';
import { deepFreeze, getAt, setAt } from './value-tree.js';

/** Options of {@link loadConfig}. */
export interface LoadConfigOptions {
  /** Environment to read. Default: `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Prefix of every variable: upper case, ending in `_`. Default: `'VRFT_'`. */
  prefix?: string;
  /** Config file path given on the command line; wins over `<prefix>CONFIG_FILE`. Default: none. */
  argvFile?: string;
  /** Longest excerpt of a bad value quoted in an error message. Default: 120 characters. */
  maxShownValueChars?: number;
}

/** {@link LoadConfigOptions} with every default applied. */
export interface ResolvedLoadConfigOptions {
  env: Readonly<Record<string, string | undefined>>;
  prefix: string;
  argvFile: string | undefined;
  maxShownValueChars: number;
}

/** Applies defaults and validates loader options; throws ConfigError naming the bad option. */
export function parseLoadConfigOptions(options: LoadConfigOptions = {}): ResolvedLoadConfigOptions {
  const resolved = {
    env: options.env ?? process.env,
    prefix: options.prefix ?? 'VRFT_',
    argvFile: options.argvFile,
    maxShownValueChars: options.maxShownValueChars ?? 120,
  };
  const bad = (path: string, message: string): never => {
    throw new ConfigError([{ path, source: { kind: 'options' }, message }]);
  };
  // An empty prefix would make every variable of the process "unknown".
  if (!/^[A-Z][A-Z0-9_]*_$/.test(resolved.prefix)) {
    bad('prefix', `expected upper case letters, digits and _ ending in _, got ${JSON.stringify(resolved.prefix)}`);
  }
  if (resolved.argvFile !== undefined && resolved.argvFile.trim() === '')
    bad('argvFile', 'expected a file path, got ""');
  if (!Number.isInteger(resolved.maxShownValueChars) || resolved.maxShownValueChars < 1) {
    bad('maxShownValueChars', `expected an integer >= 1, got ${String(resolved.maxShownValueChars)}`);
  }
  return resolved;
}

/** The variable that names the JSON config file, e.g. `VRFT_CONFIG_FILE`. */
export function configFileVariable(prefix: string): string {
  return `${prefix}CONFIG_FILE`;
}

/**
 * Loads one app's configuration: the optional JSON file (`argvFile`, else the path in
 * `<prefix>CONFIG_FILE`), then environment variables on top (`VRFT_GRPC__PORT` → `grpc.port`;
 * an empty variable counts as unset). Every problem is collected and thrown together as one
 * ConfigError; unknown `<prefix>` variables and unknown file keys are errors. The result is
 * validated by the schema (defaults applied) and deep-frozen.
 */
export function loadConfig<S extends AnySchema>(schema: S, options?: LoadConfigOptions): z.output<S> {
  const opts = parseLoadConfigOptions(options);
  const fileVariable = configFileVariable(opts.prefix);
  const map = mapSchema(schema, opts.prefix, [fileVariable]);
  const issues: ConfigIssue[] = [];

  const filePath = opts.argvFile ?? nonEmpty(opts.env[fileVariable]);
  let fileValue: Record<string, unknown> = {};
  if (filePath !== undefined) {
    const file = readConfigFile(filePath);
    // Without the file, every field it should have set would be reported as missing: stop here.
    if (!file.ok) throw new ConfigError([file.issue]);
    fileValue = file.value;
    issues.push(...findUnknownFileKeys(map, fileValue, filePath));
  }

  const input = structuredClone(fileValue);
  const envOrigins = new Map<string, { name: string; raw: string }>();
  const rejectedPaths = new Set<string>();
  for (const [name, raw] of Object.entries(opts.env)) {
    if (!name.startsWith(opts.prefix) || name === fileVariable) continue;
    const field = map.byEnvName.get(name);
    if (field === undefined) {
      const hint = suggestClosest(name, map.byEnvName.keys());
      const advice = hint === undefined ? 'remove it or check the spelling' : `did you mean ${hint}?`;
      issues.push({
        path: '',
        source: { kind: 'env', name },
        message: `unknown variable, no config field maps to it; ${advice}`,
      });
      continue;
    }
    const text = nonEmpty(raw);
    if (text === undefined) continue;
    const coerced = coerceEnvValue(field.core, text);
    const path = field.path.join('.');
    if (!coerced.ok) {
      issues.push({
        path,
        source: { kind: 'env', name },
        message: `${coerced.message}${gotText(field.path, text, opts)}`,
      });
      rejectedPaths.add(path);
      continue;
    }
    setAt(input, field.path, coerced.value);
    envOrigins.set(path, { name, raw: text });
  }
  materializeRequiredObjects(map, input);

  const result = z.safeParse(schema, input, { error: describeExpectation });
  if (!result.success) {
    for (const issue of result.error.issues) {
      // A variable that failed to convert was already reported; skip the knock-on "missing".
      if (rejectedPaths.has(issue.path.map(String).join('.'))) continue;
      issues.push(locateIssue(issue, { map, input, fileValue, filePath, envOrigins, opts }));
    }
  }
  if (!result.success || issues.length > 0) throw new ConfigError(issues, { cause: result.error });
  return deepFreeze(result.data);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

function gotText(path: readonly string[], value: unknown, opts: ResolvedLoadConfigOptions): string {
  return `, got ${isSecretPath(path) ? '<redacted>' : previewValue(value, opts.maxShownValueChars)}`;
}

/** Reports keys in the file that no field of a strict object accepts (zod would drop them silently). */
function findUnknownFileKeys(map: SchemaMap, file: Record<string, unknown>, filePath: string): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const node of map.objects) {
    const value = getAt(file, node.path);
    if (!node.strict || !isPlainObject(value)) continue;
    for (const key of Object.keys(value)) {
      if (node.keys.has(key)) continue;
      const hint = suggestClosest(key, node.keys);
      issues.push({
        path: [...node.path, key].join('.'),
        source: { kind: 'file', path: filePath },
        message: `unknown field${hint === undefined ? '' : `; did you mean "${hint}"?`}`,
      });
    }
  }
  return issues;
}

/**
 * Gives every absent, non-optional nested object an empty object, so that its fields' defaults
 * apply and a missing required field is reported by its own name rather than as a missing section.
 */
function materializeRequiredObjects(map: SchemaMap, input: Record<string, unknown>): void {
  // map.objects lists parents before children, so a created parent is seen by its children.
  for (const node of map.objects) {
    if (node.path.length === 0 || node.optional) continue;
    const parent = getAt(input, node.path.slice(0, -1));
    if (isPlainObject(parent) && getAt(input, node.path) === undefined) setAt(input, node.path, {});
  }
}

interface IssueContext {
  map: SchemaMap;
  input: Record<string, unknown>;
  fileValue: Record<string, unknown>;
  filePath: string | undefined;
  envOrigins: ReadonlyMap<string, { name: string; raw: string }>;
  opts: ResolvedLoadConfigOptions;
}

/** Names the source of a failed value: the variable that set it, the file, or (if absent) the variable to set. */
function locateIssue(issue: z.core.$ZodIssue, ctx: IssueContext): ConfigIssue {
  const path = issue.path.map(String);
  const dotted = path.join('.');
  for (let length = path.length; length > 0; length -= 1) {
    const origin = ctx.envOrigins.get(path.slice(0, length).join('.'));
    if (origin !== undefined) {
      const source: ConfigSource = { kind: 'env', name: origin.name };
      return { path: dotted, source, message: issue.message + gotText(path, origin.raw, ctx.opts) };
    }
  }
  const fileValue = getAt(ctx.fileValue, path);
  if (ctx.filePath !== undefined && fileValue !== undefined) {
    const source: ConfigSource = { kind: 'file', path: ctx.filePath };
    return { path: dotted, source, message: issue.message + gotText(path, fileValue, ctx.opts) };
  }
  const name = envNameFor(ctx.opts.prefix, path);
  if (getAt(ctx.input, path) === undefined) {
    const where = ctx.filePath === undefined ? 'not set' : `not set (nor in ${ctx.filePath})`;
    return { path: dotted, source: { kind: 'missing', name }, message: `${issue.message}; ${where}` };
  }
  // A whole section assembled from several variables (a cross-field rule failed).
  return { path: dotted, source: { kind: 'missing', name }, message: issue.message };
}
