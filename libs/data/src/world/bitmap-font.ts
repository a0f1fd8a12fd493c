/**
 * The project's own 5×7 bitmap font for the sign and the counter: upper-case letters, digits,
 * space and a hyphen. Each glyph is 7 rows of 5 cells ('#' ink, '.' paper); characters sit on a
 * pitch of 6 cells (one blank column between them), scaled by an integer factor.
 */

/** Glyph width and height in font cells. */
export const GLYPH_WIDTH = 5;
export const GLYPH_HEIGHT = 7;
/** Horizontal distance between the left edges of neighbouring characters, in cells. */
export const GLYPH_PITCH = GLYPH_WIDTH + 1;

// prettier-ignore
const GLYPH_ROWS: Readonly<Record<string, readonly string[]>> = {
  A: ['.###.', '#...#', '#...#', '#####', '#...#', '#...#', '#...#'],
  B: ['####.', '#...#', '#...#', '####.', '#...#', '#...#', '####.'],
  C: ['.###.', '#...#', '#....', '#....', '#....', '#...#', '.###.'],
  D: ['###..', '#..#.', '#...#', '#...#', '#...#', '#..#.', '###..'],
  E: ['#####', '#....', '#....', '####.', '#....', '#....', '#####'],
  F: ['#####', '#....', '#....', '####.', '#....', '#....', '#....'],
  G: ['.###.', '#...#', '#....', '#.###', '#...#', '#...#', '.####'],
  H: ['#...#', '#...#', '#...#', '#####', '#...#', '#...#', '#...#'],
  I: ['.###.', '..#..', '..#..', '..#..', '..#..', '..#..', '.###.'],
  J: ['..###', '...#.', '...#.', '...#.', '...#.', '#..#.', '.##..'],
  K: ['#...#', '#..#.', '#.#..', '##...', '#.#..', '#..#.', '#...#'],
  L: ['#....', '#....', '#....', '#....', '#....', '#....', '#####'],
  M: ['#...#', '##.##', '#.#.#', '#.#.#', '#...#', '#...#', '#...#'],
  N: ['#...#', '#...#', '##..#', '#.#.#', '#..##', '#...#', '#...#'],
  O: ['.###.', '#...#', '#...#', '#...#', '#...#', '#...#', '.###.'],
  P: ['####.', '#...#', '#...#', '####.', '#....', '#....', '#....'],
  Q: ['.###.', '#...#', '#...#', '#...#', '#.#.#', '#..#.', '.##.#'],
  R: ['####.', '#...#', '#...#', '####.', '#.#..', '#..#.', '#...#'],
  S: ['.####', '#....', '#....', '.###.', '....#', '....#', '####.'],
  T: ['#####', '..#..', '..#..', '..#..', '..#..', '..#..', '..#..'],
  U: ['#...#', '#...#', '#...#', '#...#', '#...#', '#...#', '.###.'],
  V: ['#...#', '#...#', '#...#', '#...#', '#...#', '.#.#.', '..#..'],
  W: ['#...#', '#...#', '#...#', '#.#.#', '#.#.#', '#.#.#', '.#.#.'],
  X: ['#...#', '#...#', '.#.#.', '..#..', '.#.#.', '#...#', '#...#'],
  Y: ['#...#', '#...#', '.#.#.', '..#..', '..#..', '..#..', '..#..'],
  Z: ['#####', '....#', '...#.', '..#..', '.#...', '#....', '#####'],
  '0': ['.###.', '#...#', '#..##', '#.#.#', '##..#', '#...#', '.###.'],
  '1': ['..#..', '.##..', '..#..', '..#..', '..#..', '..#..', '.###.'],
  '2': ['.###.', '#...#', '....#', '...#.', '..#..', '.#...', '#####'],
  '3': ['####.', '....#', '....#', '.###.', '....#', '....#', '####.'],
  '4': ['...#.', '..##.', '.#.#.', '#..#.', '#####', '...#.', '...#.'],
  '5': ['#####', '#....', '####.', '....#', '....#', '#...#', '.###.'],
  '6': ['..##.', '.#...', '#....', '####.', '#...#', '#...#', '.###.'],
  '7': ['#####', '....#', '...#.', '..#..', '.#...', '.#...', '.#...'],
  '8': ['.###.', '#...#', '#...#', '.###.', '#...#', '#...#', '.###.'],
  '9': ['.###.', '#...#', '#...#', '.####', '....#', '...#.', '.##..'],
  '-': ['.....', '.....', '.....', '.###.', '.....', '.....', '.....'],
  ' ': ['.....', '.....', '.....', '.....', '.....', '.....', '.....'],
};

/** A glyph as GLYPH_HEIGHT × GLYPH_WIDTH ink flags, row-major. */
export type Glyph = readonly boolean[];

const GLYPHS: ReadonlyMap<string, Glyph> = new Map(
  Object.entries(GLYPH_ROWS).map(([char, rows]) => [
    char,
    rows
      .join('')
      .split('')
      .map((cell) => cell === '#'),
  ]),
);

/** The characters the font can draw. */
export const FONT_CHARACTERS: readonly string[] = [...GLYPHS.keys()];

/** Whether every character of `text` has a glyph. */
export function isDrawableText(text: string): boolean {
  return [...text].every((char) => GLYPHS.has(char));
}

/** The glyph of one character; throws RangeError for a character the font lacks. */
export function glyphOf(char: string): Glyph {
  const glyph = GLYPHS.get(char);
  if (glyph === undefined) throw new RangeError(`the bitmap font has no glyph for ${JSON.stringify(char)}`);
  return glyph;
}

/** Width in pixels of `length` characters at `scale` (no trailing gap). */
export function measureText(length: number, scale: number): number {
  return length === 0 ? 0 : (length * GLYPH_PITCH - 1) * scale;
}

/**
 * Paints `text` into an RGB image (row-major, `width` pixels per row) with its top-left corner at
 * (x, y); each font cell becomes a scale × scale block. Pixels outside the image are skipped.
 */
export function drawText(
  image: Uint8Array,
  width: number,
  height: number,
  text: string,
  x: number,
  y: number,
  scale: number,
  colour: readonly [number, number, number],
): void {
  [...text].forEach((char, index) => {
    const glyph = glyphOf(char);
    const left = x + index * GLYPH_PITCH * scale;
    for (let row = 0; row < GLYPH_HEIGHT; row += 1) {
      for (let col = 0; col < GLYPH_WIDTH; col += 1) {
        if (!glyph[row * GLYPH_WIDTH + col]) continue;
        for (let dy = 0; dy < scale; dy += 1) {
          const py = y + row * scale + dy;
          if (py < 0 || py >= height) continue;
          for (let dx = 0; dx < scale; dx += 1) {
            const px = left + col * scale + dx;
            if (px < 0 || px >= width) continue;
            const offset = (py * width + px) * 3;
            image[offset] = colour[0];
            image[offset + 1] = colour[1];
            image[offset + 2] = colour[2];
          }
        }
      }
    }
  });
}
