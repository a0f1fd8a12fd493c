/**
 * The heads-up strip at the top of the frame: the sign on the left, the collision counter on the
 * right, both in the bitmap font. Objects live below it, so text is never hidden by an object.
 */
import { GLYPH_HEIGHT, measureText } from './bitmap-font.js';
import { type HudLayout } from './scene-graph.js';

/** Longest sign: a word of up to 4 letters, a space and a number of up to 2 digits. */
export const MAX_SIGN_WORD_CHARS = 4;
export const MAX_SIGN_CHARS = MAX_SIGN_WORD_CHARS + 3;
/** The counter's reserved width, in digits. */
export const COUNTER_DIGITS = 3;

/** Font scale for a frame size: one cell per pixel up to 127 px, then larger. */
export function hudScale(width: number, height: number): number {
  return Math.max(1, Math.floor(Math.min(width, height) / 64));
}

/** The strip's layout for a frame size, or `undefined` when the sign and counter do not fit side by side. */
export function planHud(width: number, height: number): HudLayout | undefined {
  const scale = hudScale(width, height);
  const needed = measureText(MAX_SIGN_CHARS, scale) + measureText(COUNTER_DIGITS, scale) + 2 * scale;
  const strip = (GLYPH_HEIGHT + 2) * scale;
  if (needed + 2 * scale > width || strip * 3 > height) return undefined;
  return { height: strip, scale, signX: scale, signY: scale, counterRight: width - scale, counterY: scale };
}
