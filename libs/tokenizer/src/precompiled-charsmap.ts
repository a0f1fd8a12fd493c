/**
 * The `Precompiled` normalizer: SentencePiece's compiled normalisation rules (e.g. `nmt_nfkc`),
 * carried base64-encoded in tokenizer.json as `precompiled_charsmap`.
 *
 * Layout of the decoded bytes:
 *   u32 little-endian  T, the byte size of the trie
 *   T bytes            a darts-clone double array: T/4 little-endian u32 units
 *   the rest           replacement strings, each UTF-8 and NUL-terminated
 * The trie maps UTF-8 byte strings to the offset of their replacement in the string blob.
 *
 * A double-array unit u packs (bits counted from 0):
 *   label(u)   = u & 0x800000ff        the byte that leads to this node (bit 31 set on value units)
 *   hasLeaf(u) = bit 8                 a key ends here; its value unit is the child at label 0
 *   offset(u)  = (u >>> 10) << (bit 9 ? 8 : 0)
 *   value(u)   = u & 0x7fffffff        on value units
 * and the child of node p by byte c sits at p ^ offset(unit[p]) ^ c.
 *
 * Normalising follows SentencePiece: at each position the LONGEST key that prefixes the rest of
 * the input is replaced by its string; where no key matches, one character is copied as is.
 * (Hugging Face's Rust normaliser looks keys up per grapheme cluster instead; the two agree
 * except where a strict prefix of a grapheme cluster has its own rule.)
 */
import { TokenEncodeError, TokenizerFormatError } from './errors.js';

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { ignoreBOM: true });

function hasLeaf(unit: number): boolean {
  return ((unit >>> 8) & 1) === 1;
}

function label(unit: number): number {
  return (unit & 0x800000ff) >>> 0;
}

function offset(unit: number): number {
  return (unit >>> 10) << ((unit & (1 << 9)) >>> 6);
}

function value(unit: number): number {
  return unit & 0x7fffffff;
}

/** Length in bytes of the UTF-8 sequence that starts with `lead` (1 for a stray continuation byte). */
function utf8Length(lead: number): number {
  if (lead < 0xc0) return 1;
  if (lead < 0xe0) return 2;
  if (lead < 0xf0) return 3;
  return 4;
}

/** A decoded charsmap. */
export class PrecompiledCharsmap {
  private constructor(
    private readonly units: Uint32Array,
    private readonly strings: Uint8Array,
  ) {}

  /** Decodes the base64 `precompiled_charsmap`; a malformed one is a TokenizerFormatError naming `field`. */
  static fromBase64(base64: string, field: string): PrecompiledCharsmap {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(base64) || base64.length % 4 === 1) {
      throw new TokenizerFormatError(field, 'is not base64');
    }
    const bytes = Buffer.from(base64, 'base64');
    if (bytes.length < 4) throw new TokenizerFormatError(field, `holds ${bytes.length} bytes, too few for its header`);
    const trieSize = bytes.readUInt32LE(0);
    if (trieSize % 4 !== 0 || trieSize === 0 || 4 + trieSize > bytes.length) {
      throw new TokenizerFormatError(
        field,
        `trie size ${trieSize} does not fit: expected a positive multiple of 4 within the ${bytes.length - 4} bytes after the header`,
      );
    }
    const units = new Uint32Array(trieSize / 4);
    for (let i = 0; i < units.length; i++) units[i] = bytes.readUInt32LE(4 + 4 * i);
    return new PrecompiledCharsmap(units, Uint8Array.from(bytes.subarray(4 + trieSize)));
  }

  /** Length and replacement offset of the longest key that prefixes bytes[start..], if any. */
  private longestMatch(bytes: Uint8Array, start: number): { length: number; value: number } | undefined {
    const units = this.units;
    let found: { length: number; value: number } | undefined;
    let node = offset(units[0] as number);
    for (let i = start; i < bytes.length; i++) {
      const c = bytes[i] as number;
      // Label 0 marks value units, never a key byte.
      if (c === 0) break;
      node ^= c;
      const unit = units[node];
      if (unit === undefined || label(unit) !== c) break;
      node ^= offset(unit);
      if (hasLeaf(unit)) {
        const leaf = units[node];
        if (leaf === undefined) break;
        found = { length: i - start + 1, value: value(leaf) };
      }
    }
    return found;
  }

  private replacement(at: number): Uint8Array {
    if (at >= this.strings.length) {
      throw new TokenEncodeError(
        `precompiled_charsmap: a rule points at byte ${at}, past its ${this.strings.length} bytes of strings`,
      );
    }
    let end = at;
    while (end < this.strings.length && this.strings[end] !== 0) end++;
    return this.strings.subarray(at, end);
  }

  /** The normalised text. */
  normalize(text: string): string {
    const input = utf8Encoder.encode(text);
    const out = new Uint8Array(input.length * 4 + 16);
    let buffer = out;
    let length = 0;
    const push = (bytes: Uint8Array): void => {
      if (length + bytes.length > buffer.length) {
        const grown = new Uint8Array(Math.max(buffer.length * 2, length + bytes.length));
        grown.set(buffer.subarray(0, length));
        buffer = grown;
      }
      buffer.set(bytes, length);
      length += bytes.length;
    };
    let i = 0;
    while (i < input.length) {
      const match = this.longestMatch(input, i);
      if (match !== undefined) {
        push(this.replacement(match.value));
        i += match.length;
        continue;
      }
      const size = Math.min(utf8Length(input[i] as number), input.length - i);
      push(input.subarray(i, i + size));
      i += size;
    }
    return utf8Decoder.decode(buffer.subarray(0, length));
  }
}
