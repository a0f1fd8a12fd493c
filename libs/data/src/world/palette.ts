/**
 * What the world is made of: named colours, shapes and the colours of the screen furniture.
 * Colours are far apart in RGB and in hue so that they stay nameable after h264's 4:2:0 chroma
 * subsampling at 64×64.
 */

/** RGB triple, 0..255 per channel. */
export type Rgb = readonly [r: number, g: number, b: number];

/** The named palette objects are painted with. */
export const PALETTE = {
  red: [230, 40, 40],
  green: [40, 190, 70],
  blue: [50, 100, 240],
  yellow: [245, 215, 35],
  purple: [165, 70, 215],
  orange: [250, 140, 20],
  cyan: [40, 210, 220],
  white: [240, 240, 240],
} as const satisfies Record<string, Rgb>;

/** A colour name of {@link PALETTE}. */
export type ColourName = keyof typeof PALETTE;

/** Every colour name, in palette order. */
export const COLOUR_NAMES = Object.keys(PALETTE) as ColourName[];

/** The shapes an object can have. */
export const SHAPE_NAMES = ['circle', 'square', 'triangle', 'diamond'] as const;

/** One of {@link SHAPE_NAMES}. */
export type ShapeName = (typeof SHAPE_NAMES)[number];

/** Arena floor: dark blue-grey, unlike every palette colour. */
export const ARENA_BACKGROUND: Rgb = [24, 26, 36];
/** The heads-up strip above the arena that holds the sign and the counter. */
export const HUD_BACKGROUND: Rgb = [0, 0, 0];
/** Sign text: white on black reads best after lossy encoding. */
export const SIGN_TEXT_COLOUR: Rgb = [255, 255, 255];
/** Counter digits. */
export const COUNTER_TEXT_COLOUR: Rgb = [255, 220, 0];
