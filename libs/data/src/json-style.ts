/**
 * A JSON writer with Python's `json` layout, so that files written here look like the public
 * Video-R1 / VideoRFT files (written by Python's `json.dump`): with an indent, items end with ","
 * and keys are followed by ": "; without one, `", "` and `": "` on a single line (or the compact
 * `","` and `":"`). Non-ASCII may be escaped as `\uXXXX` like Python's default `ensure_ascii`.
 * Numbers are written in JavaScript's shortest round-trip form (Python would write `1.0` where
 * this writes `1`), which is exact for the integers the format uses.
 */

/** How JSON text is laid out. */
export interface JsonStyle {
  /** Spaces per nesting level, or `null` for a single line. */
  readonly indent: number | null;
  /** Between items on one line: `", "` (Python) or `","` (compact). Ignored with an indent (`","`). */
  readonly itemSeparator: string;
  /** Between a key and its value: `": "` (Python) or `":"` (compact). */
  readonly keySeparator: string;
  /** Write every character outside printable ASCII as `\uXXXX` (Python's `ensure_ascii`). */
  readonly escapeNonAscii: boolean;
}

/** Thrown for values that have no JSON form (functions, bigint, non-finite numbers, cycles). */
export class JsonValueError extends Error {
  override readonly name = 'JsonValueError';
}

/**
 * Formats `value` as JSON text in `style`; `depth` is the nesting level the value sits at (its
 * closing bracket is indented to that level). Object keys keep their insertion order and
 * properties whose value is `undefined` are left out, as `JSON.stringify` does.
 */
export function formatJsonValue(value: unknown, style: JsonStyle, depth = 0): string {
  return formatValue(value, style, depth, new Set<object>(), '$');
}

function formatValue(value: unknown, style: JsonStyle, depth: number, ancestors: Set<object>, at: string): string {
  switch (typeof value) {
    case 'string':
      return formatJsonString(value, style.escapeNonAscii);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new JsonValueError(`${at}: ${value} has no JSON form`);
      return Object.is(value, -0) ? '0' : String(value);
    case 'object':
      if (value === null) return 'null';
      return formatContainer(value, style, depth, ancestors, at);
    default:
      throw new JsonValueError(`${at}: a ${typeof value} has no JSON form`);
  }
}

function formatContainer(value: object, style: JsonStyle, depth: number, ancestors: Set<object>, at: string): string {
  if (ancestors.has(value)) throw new JsonValueError(`${at}: the value contains itself`);
  const proto: unknown = Object.getPrototypeOf(value);
  const isArray = Array.isArray(value);
  if (!isArray && proto !== Object.prototype && proto !== null) {
    throw new JsonValueError(`${at}: only plain objects and arrays can be written, got ${value.constructor.name}`);
  }
  ancestors.add(value);
  const parts: string[] = [];
  if (isArray) {
    (value as unknown[]).forEach((item, i) => {
      if (item === undefined) throw new JsonValueError(`${at}[${i}]: undefined has no JSON form`);
      parts.push(formatValue(item, style, depth + 1, ancestors, `${at}[${i}]`));
    });
  } else {
    for (const [key, item] of Object.entries(value)) {
      if (item === undefined) continue;
      const text = formatValue(item, style, depth + 1, ancestors, `${at}.${key}`);
      parts.push(formatJsonString(key, style.escapeNonAscii) + style.keySeparator + text);
    }
  }
  ancestors.delete(value);
  const [open, close] = isArray ? ['[', ']'] : ['{', '}'];
  // Empty containers stay on one line in both layouts, as in Python.
  if (parts.length === 0) return open + close;
  if (style.indent === null) return open + parts.join(style.itemSeparator) + close;
  const inner = '\n' + ' '.repeat(style.indent * (depth + 1));
  const outer = '\n' + ' '.repeat(style.indent * depth);
  return open + inner + parts.join(',' + inner) + outer + close;
}

// Printable ASCII other than '"' and '\\' needs no escape in either mode.
const PLAIN_ASCII = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;
const NON_ASCII = /[\u007f-\uffff]/g;

/** A JSON string literal; escapes match Python's `json` (lower-case hex, `\n`-style short forms). */
export function formatJsonString(text: string, escapeNonAscii: boolean): string {
  if (PLAIN_ASCII.test(text)) return `"${text}"`;
  // JSON.stringify already escapes '"', '\\', control characters (short forms, else \u00xx) and
  // lone surrogates exactly as Python does; what it leaves raw is everything from DEL upward.
  const literal = JSON.stringify(text);
  if (!escapeNonAscii) return literal;
  // Python's ensure_ascii also escapes DEL; characters beyond the BMP come out as their two
  // surrogate halves, which is what matching UTF-16 code units one by one gives.
  return literal.replace(NON_ASCII, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}
