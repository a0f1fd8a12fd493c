/**
 * Reads bitmap-font text back from pixels by template matching: each character cell is
 * thresholded on luminance and compared with every glyph; the closest glyph (fewest differing
 * cells) wins. It proves the sign is legible and serves perception passes that must look at
 * pixels rather than at the simulator's truth.
 */
import { FONT_CHARACTERS, GLYPH_HEIGHT, GLYPH_PITCH, GLYPH_WIDTH, glyphOf } from './bitmap-font.js';

/** Where to read: the top-left corner of the first character, the font scale and how many cells. */
export interface TextBox {
  x: number;
  y: number;
  scale: number;
  /** Character cells to read, left to right. */
  chars: number;
}

/** Options of {@link readBitmapText}. */
export interface ReadTextOptions {
  /** Luma (0–255) above which a font cell counts as ink. Default 128 (light text on dark). */
  inkThreshold?: number;
}

/** One character read back, with how many of its 35 cells disagreed with the chosen glyph. */
export interface ReadCharacter {
  char: string;
  mismatches: number;
}

/**
 * Reads the characters of `box` from one RGB frame [H, W, 3] (row-major). A font cell is sampled
 * as the mean luma of its scale × scale block (BT.601: Y = 0.299 R + 0.587 G + 0.114 B).
 */
export function readBitmapCharacters(
  frame: Uint8Array,
  width: number,
  height: number,
  box: TextBox,
  options: ReadTextOptions = {},
): ReadCharacter[] {
  const threshold = options.inkThreshold ?? 128;
  const out: ReadCharacter[] = [];
  for (let index = 0; index < box.chars; index += 1) {
    const left = box.x + index * GLYPH_PITCH * box.scale;
    const ink: boolean[] = [];
    for (let row = 0; row < GLYPH_HEIGHT; row += 1) {
      for (let col = 0; col < GLYPH_WIDTH; col += 1) {
        ink.push(
          sampleLuma(frame, width, height, left + col * box.scale, box.y + row * box.scale, box.scale) > threshold,
        );
      }
    }
    let best: ReadCharacter = { char: ' ', mismatches: Number.POSITIVE_INFINITY };
    for (const char of FONT_CHARACTERS) {
      const glyph = glyphOf(char);
      let mismatches = 0;
      for (let cell = 0; cell < ink.length; cell += 1) if (glyph[cell] !== ink[cell]) mismatches += 1;
      if (mismatches < best.mismatches) best = { char, mismatches };
    }
    out.push(best);
  }
  return out;
}

/** The text of `box` as a string, trailing and leading spaces trimmed (see {@link readBitmapCharacters}). */
export function readBitmapText(
  frame: Uint8Array,
  width: number,
  height: number,
  box: TextBox,
  options: ReadTextOptions = {},
): string {
  return readBitmapCharacters(frame, width, height, box, options)
    .map((c) => c.char)
    .join('')
    .trim();
}

function sampleLuma(frame: Uint8Array, width: number, height: number, x: number, y: number, scale: number): number {
  let sum = 0;
  let count = 0;
  for (let dy = 0; dy < scale; dy += 1) {
    for (let dx = 0; dx < scale; dx += 1) {
      const px = x + dx;
      const py = y + dy;
      if (px < 0 || py < 0 || px >= width || py >= height) continue;
      const o = (py * width + px) * 3;
      sum += 0.299 * (frame[o] ?? 0) + 0.587 * (frame[o + 1] ?? 0) + 0.114 * (frame[o + 2] ?? 0);
      count += 1;
    }
  }
  return count === 0 ? 0 : sum / count;
}
