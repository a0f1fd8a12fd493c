/**
 * A minimal PNG encoder for one RGB frame (8-bit truecolour, no interlace, filter 0 on every row,
 * zlib from node:zlib), so frames can travel to a multimodal endpoint as data URLs without an
 * ffmpeg process per frame. Layout: signature, IHDR, IDAT, IEND; each chunk is
 * length · type · data · CRC-32(type · data).
 */
import { deflateSync } from 'node:zlib';

const SIGNATURE = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n += 1) {
    let c = n;
    // Reflected CRC-32, polynomial 0xEDB88320 (the one PNG specifies).
    for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of bytes) c = (CRC_TABLE[(c ^ byte) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i += 1) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/** Encodes an RGB frame [H, W, 3] (row-major) as PNG bytes. */
export function encodePng(rgb: Uint8Array, width: number, height: number): Uint8Array {
  if (rgb.length !== width * height * 3) {
    throw new RangeError(`expected ${width * height * 3} RGB bytes for ${width}×${height}, got ${rgb.length}`);
  }
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  header.set([8, 2, 0, 0, 0], 8); // bit depth 8, colour type 2 (RGB), deflate, filter set 0, no interlace
  // Each row is prefixed with its filter type byte (0: none).
  const raw = new Uint8Array(height * (width * 3 + 1));
  for (let y = 0; y < height; y += 1)
    raw.set(rgb.subarray(y * width * 3, (y + 1) * width * 3), y * (width * 3 + 1) + 1);
  const parts = [SIGNATURE, chunk('IHDR', header), chunk('IDAT', deflateSync(raw)), chunk('IEND', new Uint8Array(0))];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** A `data:image/png;base64,…` URL of an RGB frame, for an `image_url` content part. */
export function pngDataUrl(rgb: Uint8Array, width: number, height: number): string {
  return `data:image/png;base64,${Buffer.from(encodePng(rgb, width, height)).toString('base64')}`;
}
