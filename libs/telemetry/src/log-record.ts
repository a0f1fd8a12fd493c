import type { LogLevel } from './log-levels.js';

/** Everything one log line is made of, before serialization. */
export interface LogRecordInput {
  time: Date;
  level: LogLevel;
  service: string;
  /** The logger's own context, used when the call names none. */
  context: string | undefined;
  /** First argument of the call: a string, an Error or a plain object of fields. */
  message: unknown;
  /** Remaining arguments, following Nest's convention (see {@link buildLogRecord}). */
  params: readonly unknown[];
  /** Ids of the active span, when there is one. */
  span: { traceId: string; spanId: string } | undefined;
}

// Keys the logger owns; a caller's field with one of these names is written as `field_<name>`.
const RESERVED = new Set(['time', 'level', 'service', 'context', 'msg', 'stack', 'trace_id', 'span_id']);

/**
 * Builds one log record. Arguments follow Nest's LoggerService convention: a trailing string is
 * the context (`log(msg, 'Ctx')`), a string that looks like a stack trace is the stack
 * (`error(msg, stack, 'Ctx')`); Errors contribute their stack, plain objects their fields, and
 * any other value is collected under `args`.
 */
export function buildLogRecord(input: LogRecordInput): Record<string, unknown> {
  const params = input.params.filter((param) => param !== undefined);
  let context = input.context;
  const last = params[params.length - 1];
  if (typeof last === 'string' && !looksLikeStack(last)) {
    context = last;
    params.pop();
  }

  const fields: Record<string, unknown> = {};
  const args: unknown[] = [];
  let stack: string | undefined;
  let msg: string;
  const { message } = input;
  if (typeof message === 'string') {
    msg = message;
  } else if (message instanceof Error) {
    msg = message.message;
    stack = message.stack;
    fields.error_name = message.name;
  } else if (isPlainObject(message)) {
    msg = typeof message.msg === 'string' ? message.msg : '';
    Object.assign(fields, withoutKey(message, 'msg'));
  } else {
    msg = String(message);
  }

  for (const param of params) {
    if (typeof param === 'string' && looksLikeStack(param)) stack ??= param;
    else if (param instanceof Error) {
      stack ??= param.stack;
      fields.error_name ??= param.name;
      if (param.message !== msg) fields.error_message = param.message;
    } else if (isPlainObject(param)) Object.assign(fields, param);
    else args.push(param);
  }
  if (args.length > 0) fields.args = args;

  const record: Record<string, unknown> = {
    time: input.time.toISOString(),
    level: input.level,
    service: input.service,
  };
  if (context !== undefined) record.context = context;
  record.msg = msg;
  for (const [key, value] of Object.entries(fields)) record[RESERVED.has(key) ? `field_${key}` : key] = value;
  if (stack !== undefined) record.stack = stack;
  if (input.span !== undefined) {
    record.trace_id = input.span.traceId;
    record.span_id = input.span.spanId;
  }
  return record;
}

/**
 * Serializes a record as one JSON line. BigInts become strings and Errors `{name, message}`;
 * if a field cannot be serialized (a cycle), the line keeps the fixed keys and says why.
 */
export function serializeLogRecord(record: Record<string, unknown>): string {
  try {
    return `${JSON.stringify(record, jsonReplacer)}\n`;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const fixed = Object.fromEntries(Object.entries(record).filter(([key]) => RESERVED.has(key)));
    return `${JSON.stringify({ ...fixed, fields_error: `fields not serializable: ${reason}` })}\n`;
  }
}

function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Error) return { name: value.name, message: value.message };
  return value;
}

function looksLikeStack(text: string): boolean {
  return /\n\s+at /.test(text);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function withoutKey(object: Record<string, unknown>, key: string): Record<string, unknown> {
  return Object.fromEntries(Object.entries(object).filter(([name]) => name !== key));
}
