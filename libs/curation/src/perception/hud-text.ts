/**
 * Finds the heads-up strip above the arena and reads its text from pixels: the sign at the top
 * left and the counter at the top right, through the world's bitmap-font reader. The strip is
 * found by looking for the first row that is mostly arena floor; the font scale follows from the
 * strip's height (one glyph row plus a margin above and below).
 */
import { ARENA_BACKGROUND, GLYPH_HEIGHT, GLYPH_PITCH, measureText, readBitmapCharacters } from '@vrft/data';

/** Where the arena starts and how the strip's text is laid out. */
export interface HudGeometry {
  arenaTop: number;
  scale: number;
  sign: { x: number; y: number; chars: number };
  counter: { x: number; y: number; chars: number };
}

/** Text read from the strip, with how sure the reader is. */
export interface HudReading {
  sign: { text: string; uncertain: boolean };
  counter: { text: string; uncertain: boolean };
}

const COUNTER_DIGITS = 3;

/**
 * The strip geometry of frames [F, H, W, 3]: a row belongs to the arena when more than half of its
 * pixels are near the floor colour in at least one of the frames looked at (objects cover rows in
 * some frames, never in all).
 */
export function detectHud(frames: readonly Uint8Array[], width: number, height: number): HudGeometry {
  let arenaTop = 0;
  for (let y = 0; y < height; y += 1) {
    let best = 0;
    for (const frame of frames) {
      let near = 0;
      for (let x = 0; x < width; x += 1) {
        const o = (y * width + x) * 3;
        const d = Math.hypot(
          (frame[o] ?? 0) - ARENA_BACKGROUND[0],
          (frame[o + 1] ?? 0) - ARENA_BACKGROUND[1],
          (frame[o + 2] ?? 0) - ARENA_BACKGROUND[2],
        );
        if (d < 24) near += 1;
      }
      best = Math.max(best, near / width);
    }
    if (best > 0.5) {
      arenaTop = y;
      break;
    }
  }
  const scale = Math.max(1, Math.floor(arenaTop / (GLYPH_HEIGHT + 2)));
  const counterWidth = measureText(COUNTER_DIGITS, scale);
  const counterX = width - scale - counterWidth;
  const signChars = Math.max(0, Math.floor((counterX - scale) / (GLYPH_PITCH * scale)));
  return {
    arenaTop,
    scale,
    sign: { x: scale, y: scale, chars: signChars },
    counter: { x: counterX, y: scale, chars: COUNTER_DIGITS },
  };
}

/**
 * Reads the sign and the counter of one frame. A character whose cells disagree with its best
 * glyph in more than `uncertainMismatches` of 35 cells makes the reading uncertain.
 */
export function readHud(
  frame: Uint8Array,
  width: number,
  height: number,
  hud: HudGeometry,
  uncertainMismatches: number,
): HudReading {
  const read = (box: { x: number; y: number; chars: number }) => {
    if (hud.arenaTop === 0 || box.chars === 0) return { text: '', uncertain: true };
    const chars = readBitmapCharacters(frame, width, height, { ...box, scale: hud.scale });
    return {
      text: chars
        .map((c) => c.char)
        .join('')
        .trim(),
      uncertain: chars.some((c) => c.mismatches > uncertainMismatches),
    };
  };
  return { sign: read(hud.sign), counter: read(hud.counter) };
}
