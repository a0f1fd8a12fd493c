/**
 * The safetensors format, float32 only, without I/O:
 * `[u64 little-endian header length N][N bytes of JSON header][data]`. The header maps each tensor
 * name to `{ dtype: "F32", shape, data_offsets: [begin, end] }` (offsets relative to the start of
 * the data) and may hold `__metadata__` (string → string). The header is padded with spaces to a
 * multiple of 8 bytes so every tensor's data starts aligned.
 */
import { endianness } from 'node:os';
import { SafetensorsError } from './errors.js';
import { shapeSize } from './weight-specs.js';

/** A named tensor's shape and values. */
export interface NamedTensor {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/** A decoded safetensors file. */
export interface SafetensorsContent {
  /** Tensors in the order of their data in the file. */
  readonly tensors: Map<string, NamedTensor>;
  /** The `__metadata__` strings (empty when absent). */
  readonly metadata: Record<string, string>;
}

/** Limits applied when decoding. */
export interface SafetensorsReadOptions {
  /** Largest header accepted, in bytes. Default 100 MiB (the reference implementation's bound). */
  readonly maxHeaderBytes: number;
}

/** Defaults of SafetensorsReadOptions. */
export const DEFAULT_SAFETENSORS_READ_OPTIONS: SafetensorsReadOptions = { maxHeaderBytes: 100 * 1024 * 1024 };

const HEADER_PREFIX_BYTES = 8;
const ALIGNMENT = 8;
const METADATA_KEY = '__metadata__';

function requireLittleEndian(source: string): void {
  // Float32Array views use the platform's byte order; the format is little-endian.
  if (endianness() !== 'LE') throw new SafetensorsError(source, undefined, 'big-endian platforms are not supported');
}

/** Encodes tensors (in the map's order) and metadata as safetensors bytes. */
export function encodeSafetensors(
  tensors: ReadonlyMap<string, NamedTensor>,
  metadata: Readonly<Record<string, string>> = {},
): Uint8Array {
  requireLittleEndian('<buffer>');
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header[METADATA_KEY] = { ...metadata };
  let offset = 0;
  for (const [name, tensor] of tensors) {
    if (name === METADATA_KEY) throw new SafetensorsError('<buffer>', name, 'reserved name');
    const size = shapeSize(tensor.shape);
    if (size !== tensor.data.length) {
      throw new SafetensorsError(
        '<buffer>',
        name,
        `shape [${tensor.shape.join(', ')}] needs ${size} values, data has ${tensor.data.length}`,
      );
    }
    header[name] = { dtype: 'F32', shape: [...tensor.shape], data_offsets: [offset, offset + size * 4] };
    offset += size * 4;
  }
  let headerText = JSON.stringify(header);
  const headerBytesRaw = Buffer.byteLength(headerText, 'utf8');
  const padded = Math.ceil((HEADER_PREFIX_BYTES + headerBytesRaw) / ALIGNMENT) * ALIGNMENT - HEADER_PREFIX_BYTES;
  headerText += ' '.repeat(padded - headerBytesRaw);
  const out = new Uint8Array(HEADER_PREFIX_BYTES + padded + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(padded), true);
  Buffer.from(out.buffer, HEADER_PREFIX_BYTES, padded).write(headerText, 'utf8');
  let position = HEADER_PREFIX_BYTES + padded;
  for (const tensor of tensors.values()) {
    out.set(new Uint8Array(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength), position);
    position += tensor.data.byteLength;
  }
  return out;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseMetadata(source: string, value: unknown): Record<string, string> {
  if (!isRecord(value)) throw new SafetensorsError(source, undefined, `${METADATA_KEY} must be an object of strings`);
  const metadata: Record<string, string> = {};
  for (const [key, entry] of Object.entries(value)) {
    if (typeof entry !== 'string')
      throw new SafetensorsError(source, undefined, `${METADATA_KEY}.${key} is not a string`);
    metadata[key] = entry;
  }
  return metadata;
}

interface HeaderEntry {
  readonly name: string;
  readonly shape: number[];
  readonly begin: number;
  readonly end: number;
}

function parseEntry(source: string, name: string, value: unknown, dataBytes: number): HeaderEntry {
  if (!isRecord(value)) throw new SafetensorsError(source, name, 'header entry is not an object');
  if (value.dtype !== 'F32') {
    throw new SafetensorsError(source, name, `dtype ${JSON.stringify(value.dtype)} is not supported (only F32)`);
  }
  const shape = value.shape;
  if (!Array.isArray(shape) || !shape.every((n) => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0)) {
    throw new SafetensorsError(source, name, `shape ${JSON.stringify(shape)} is not a list of non-negative integers`);
  }
  const offsets = value.data_offsets;
  if (
    !Array.isArray(offsets) ||
    offsets.length !== 2 ||
    !offsets.every((n) => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0)
  ) {
    throw new SafetensorsError(source, name, `data_offsets ${JSON.stringify(offsets)} is not [begin, end]`);
  }
  const [begin, end] = offsets as [number, number];
  if (begin > end || end > dataBytes) {
    throw new SafetensorsError(source, name, `data_offsets [${begin}, ${end}] lie outside the ${dataBytes} data bytes`);
  }
  const size = shapeSize(shape as number[]);
  if (end - begin !== size * 4) {
    throw new SafetensorsError(
      source,
      name,
      `data_offsets span ${end - begin} bytes, shape [${shape.join(', ')}] of F32 needs ${size * 4}`,
    );
  }
  return { name, shape: shape as number[], begin, end };
}

/**
 * Decodes safetensors bytes, validating everything: the length prefix against the buffer (a
 * truncated file), the header's JSON, every entry's dtype, shape and offsets (inside the data,
 * consistent with the shape, not overlapping, covering the data). Throws SafetensorsError naming
 * the tensor at fault. The tensors' data are copies, independent of `bytes`.
 */
export function decodeSafetensors(
  bytes: Uint8Array,
  source = '<buffer>',
  options: SafetensorsReadOptions = DEFAULT_SAFETENSORS_READ_OPTIONS,
): SafetensorsContent {
  requireLittleEndian(source);
  if (bytes.byteLength < HEADER_PREFIX_BYTES) {
    throw new SafetensorsError(
      source,
      undefined,
      `truncated: ${bytes.byteLength} bytes, less than the 8-byte header length`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getBigUint64(0, true);
  if (headerLength > BigInt(options.maxHeaderBytes)) {
    throw new SafetensorsError(
      source,
      undefined,
      `header length ${headerLength} exceeds the ${options.maxHeaderBytes}-byte limit`,
    );
  }
  const headerBytes = Number(headerLength);
  if (HEADER_PREFIX_BYTES + headerBytes > bytes.byteLength) {
    throw new SafetensorsError(
      source,
      undefined,
      `truncated: header of ${headerBytes} bytes does not fit in ${bytes.byteLength - HEADER_PREFIX_BYTES} remaining bytes`,
    );
  }
  let header: unknown;
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(
      bytes.subarray(HEADER_PREFIX_BYTES, HEADER_PREFIX_BYTES + headerBytes),
    );
    header = JSON.parse(text);
  } catch (error) {
    throw new SafetensorsError(source, undefined, 'corrupted header: not UTF-8 JSON', { cause: error });
  }
  if (!isRecord(header)) throw new SafetensorsError(source, undefined, 'corrupted header: not a JSON object');

  const dataStart = HEADER_PREFIX_BYTES + headerBytes;
  const dataBytes = bytes.byteLength - dataStart;
  let metadata: Record<string, string> = {};
  const entries: HeaderEntry[] = [];
  for (const [name, value] of Object.entries(header)) {
    if (name === METADATA_KEY) metadata = parseMetadata(source, value);
    else entries.push(parseEntry(source, name, value, dataBytes));
  }
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  for (const entry of entries) {
    if (entry.begin !== covered) {
      const why = entry.begin < covered ? 'overlaps the previous tensor' : `leaves a gap after byte ${covered}`;
      throw new SafetensorsError(source, entry.name, `data_offsets [${entry.begin}, ${entry.end}] ${why}`);
    }
    covered = entry.end;
  }
  if (covered !== dataBytes) {
    throw new SafetensorsError(
      source,
      undefined,
      `the tensors cover ${covered} of ${dataBytes} data bytes (truncated or trailing bytes)`,
    );
  }

  const tensors = new Map<string, NamedTensor>();
  for (const entry of entries) {
    // Copy into a fresh buffer: aligned for the Float32Array view and independent of `bytes`
    // (Buffer#slice would only make a view of it).
    const data = new Float32Array((entry.end - entry.begin) / 4);
    new Uint8Array(data.buffer).set(bytes.subarray(dataStart + entry.begin, dataStart + entry.end));
    tensors.set(entry.name, { shape: entry.shape, data });
  }
  return { tensors, metadata };
}
