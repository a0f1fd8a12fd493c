/**
 * Decides whether bytes can be streamed to ffmpeg through a pipe. An ISO-BMFF file (mp4, mov,
 * 3gp) whose index box `moov` comes after the media data `mdat` cannot: the demuxer must seek
 * back to the samples after reading the index, and a pipe cannot seek. Such input goes through a
 * temporary file instead. Pure: reads only the top-level box headers.
 */

/** Top-level box types that mark an ISO-BMFF file. */
const ISO_BMFF_BOXES = new Set([
  'ftyp',
  'styp',
  'moov',
  'mdat',
  'free',
  'skip',
  'wide',
  'pnot',
  'uuid',
  'sidx',
  'moof',
]);

function readBoxType(bytes: Uint8Array, offset: number): string {
  return String.fromCharCode(bytes[offset + 4]!, bytes[offset + 5]!, bytes[offset + 6]!, bytes[offset + 7]!);
}

/**
 * True when the bytes look like ISO-BMFF and no `moov` box precedes the first `mdat` (or the top
 * level cannot be walked to a `moov` at all). Other containers (Matroska, WebM, AVI, GIF, MPEG-TS)
 * are read front to back and return false.
 */
export function needsSeekableInput(bytes: Uint8Array): boolean {
  if (bytes.length < 8 || !ISO_BMFF_BOXES.has(readBoxType(bytes, 0))) return false;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 0;
  while (offset + 8 <= bytes.length) {
    const type = readBoxType(bytes, offset);
    if (type === 'moov' || type === 'moof') return false; // index (or a fragment) before the samples
    if (type === 'mdat') return true;
    let size = view.getUint32(offset);
    if (size === 1) {
      // 64-bit "largesize" follows the type.
      if (offset + 16 > bytes.length) return true;
      size = Number(view.getBigUint64(offset + 8));
    } else if (size === 0) {
      return true; // box runs to the end of the file: no moov ahead
    }
    if (size < 8) return true; // malformed: let the seekable path report it
    offset += size;
  }
  return true;
}
