/**
 * How ffmpeg and ffprobe are pointed at an input, and the demuxing restrictions every call uses.
 * Bytes are piped on stdin unless the container needs seeking (then a private temp file); an
 * allowed file is handed over as an inherited descriptor so the checked file is the read file.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { needsSeekableInput } from './container-layout.js';
import { type MaterialisedInput } from './input-source.js';
import { withPrivateTempDir } from './temp-dir.js';

/** An input as ffmpeg sees it: a URL, plus stdin bytes or an inherited fd when those carry it. */
export interface FfmpegInput {
  url: string;
  input?: Uint8Array;
  inheritFd?: number;
}

/**
 * Input options that confine demuxing: only the file and pipe protocols (no network, no
 * playlists fetching other URLs) and only the listed demuxers (no text, image-sequence or
 * concat formats that could read other files).
 */
export function buildDemuxerArgs(allowedDemuxers: readonly string[]): string[] {
  return ['-protocol_whitelist', 'file,pipe', '-format_whitelist', allowedDemuxers.join(',')];
}

/** Prepares `input` for ffmpeg, runs `work`, and removes any temporary file afterwards. */
export async function withFfmpegInput<T>(
  input: MaterialisedInput,
  tempParent: string,
  work: (ffmpegInput: FfmpegInput) => Promise<T>,
): Promise<T> {
  if (input.kind === 'file') {
    // On Linux the child reopens the inherited descriptor via /dev/fd/3: same file, own offset, seekable.
    if (process.platform === 'linux') return work({ url: 'file:/dev/fd/3', inheritFd: input.file.handle.fd });
    return work({ url: `file:${input.file.realPath}` });
  }
  if (!needsSeekableInput(input.bytes)) return work({ url: 'pipe:0', input: input.bytes });
  return withPrivateTempDir(tempParent, async (dir) => {
    const path = join(dir, 'input.bin');
    await writeFile(path, input.bytes, { mode: 0o600 });
    return work({ url: `file:${path}` });
  });
}
