import { readFileSync } from 'node:fs';
import type { ConfigIssue } from './config-error.js';

/** The parsed top-level object of a config file, or the issue that prevented reading it. */
export type ConfigFileResult = { ok: true; value: Record<string, unknown> } | { ok: false; issue: ConfigIssue };

/** Reads and parses a JSON config file; the only file I/O of this package. */
export function readConfigFile(path: string): ConfigFileResult {
  const source = { kind: 'file', path } as const;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { ok: false, issue: { path: '', source, message: `cannot read config file: ${reason}` } };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { ok: false, issue: { path: '', source, message: `malformed JSON: ${reason}` } };
  }
  if (!isPlainObject(value)) {
    const got = Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value;
    return { ok: false, issue: { path: '', source, message: `expected a JSON object at the top level, got ${got}` } };
  }
  return { ok: true, value };
}

/** True for `{...}` values (not arrays, not null). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
