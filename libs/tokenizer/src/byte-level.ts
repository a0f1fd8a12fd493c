/**
 * GPT-2's byte-to-unicode mapping: every byte 0..255 gets a printable character so that BPE can
 * work on strings while the vocabulary still covers every byte sequence.
 *
 * Bytes that are already printable and not whitespace ('!'..'~', '¡'..'¬', '®'..'ÿ') map to the
 * character with the same code point; the remaining 68 bytes (controls, space, DEL, NBSP, soft
 * hyphen) map in byte order to U+0100, U+0101, … — so space (0x20) becomes 'Ġ' (U+0120) and
 * newline (0x0A) becomes 'Ċ' (U+010A). Every mapped character is a single UTF-16 code unit.
 */

function isPrintableByte(byte: number): boolean {
  return (byte >= 0x21 && byte <= 0x7e) || (byte >= 0xa1 && byte <= 0xac) || (byte >= 0xae && byte <= 0xff);
}

function buildByteToChar(): Uint16Array {
  const table = new Uint16Array(256);
  let next = 0x100;
  for (let byte = 0; byte < 256; byte++) {
    table[byte] = isPrintableByte(byte) ? byte : next++;
  }
  return table;
}

/** byte → UTF-16 code unit of its byte-level character. */
export const BYTE_TO_CHAR_CODE: Readonly<Uint16Array> = buildByteToChar();

// Mapped code units are all below 0x100 + 68, so a dense reverse table is small.
const CHAR_CODE_TO_BYTE: Int16Array = (() => {
  const table = new Int16Array(0x200).fill(-1);
  BYTE_TO_CHAR_CODE.forEach((code, byte) => {
    table[code] = byte;
  });
  return table;
})();

/** The 256 byte-level characters, indexed by byte value. */
export const BYTE_LEVEL_ALPHABET: readonly string[] = Array.from(BYTE_TO_CHAR_CODE, (code) =>
  String.fromCharCode(code),
);

const utf8Encoder = new TextEncoder();

// String.fromCharCode(...codes) spreads its arguments on the stack; chunk long inputs.
const FROM_CHAR_CODE_CHUNK = 8192;

/** Maps raw bytes to their byte-level string (one character per byte). */
export function bytesToByteLevel(bytes: Uint8Array): string {
  const codes = new Uint16Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) codes[i] = BYTE_TO_CHAR_CODE[bytes[i] as number] as number;
  let out = '';
  for (let start = 0; start < codes.length; start += FROM_CHAR_CODE_CHUNK) {
    out += String.fromCharCode(...codes.subarray(start, start + FROM_CHAR_CODE_CHUNK));
  }
  return out;
}

// Printable ASCII maps to itself, and most pieces are printable ASCII after at most one space.
const PRINTABLE_ASCII_PIECE = /^ ?[\x21-\x7e]*$/;
const SPACE_CHAR = String.fromCharCode(BYTE_TO_CHAR_CODE[0x20] as number);

/**
 * Maps text to its byte-level string through UTF-8. Lone surrogates have no UTF-8 form and are
 * encoded as U+FFFD, as every UTF-8 encoder does.
 */
export function textToByteLevel(text: string): string {
  if (PRINTABLE_ASCII_PIECE.test(text)) return text.startsWith(' ') ? SPACE_CHAR + text.slice(1) : text;
  return bytesToByteLevel(utf8Encoder.encode(text));
}

/** Byte value of a byte-level character, or -1 when the character is not in the alphabet. */
export function byteOfChar(charCode: number): number {
  return charCode < CHAR_CODE_TO_BYTE.length ? (CHAR_CODE_TO_BYTE[charCode] as number) : -1;
}

/**
 * Appends the bytes a vocabulary token stands for. A token made only of byte-level characters
 * yields those bytes; any other token (one added by hand with ordinary text) yields its own
 * UTF-8, which is how the Hugging Face ByteLevel decoder treats it too.
 */
export function pushTokenBytes(token: string, out: number[]): void {
  const start = out.length;
  for (let i = 0; i < token.length; i++) {
    const byte = byteOfChar(token.charCodeAt(i));
    if (byte < 0) {
      out.length = start;
      pushUtf8(token, out);
      return;
    }
    out.push(byte);
  }
}

/** Appends the UTF-8 bytes of text. */
export function pushUtf8(text: string, out: number[]): void {
  for (const byte of utf8Encoder.encode(text)) out.push(byte);
}
