/** Words for where things are and which way they go, shared by the describer, writer and reviser. */
import { DIRECTIONS } from '@vrft/data';

/**
 * The eight compass directions, counter-clockwise from "right" in 45° steps (y up on screen):
 * the same words the synthetic world's questions use.
 */
export const DIRECTION_NAMES = DIRECTIONS;

/** One of {@link DIRECTION_NAMES}. */
export type DirectionName = (typeof DIRECTION_NAMES)[number];

/** The compass direction of a screen displacement (dx right, dy down). */
export function directionOf(dx: number, dy: number): DirectionName {
  const angle = Math.atan2(-dy, dx); // counter-clockwise from right, y up
  const sector = (Math.round(angle / (Math.PI / 4)) + 8) % 8;
  return DIRECTION_NAMES[sector] ?? 'right';
}

/** Angle in radians of a direction name (counter-clockwise from right). */
export function angleOf(direction: DirectionName): number {
  return DIRECTION_NAMES.indexOf(direction) * (Math.PI / 4);
}

/** Smallest absolute difference of two angles, in radians. */
export function angleBetween(a: number, b: number): number {
  const d = Math.abs(a - b) % (2 * Math.PI);
  return d > Math.PI ? 2 * Math.PI - d : d;
}

/** "top left", "centre", … for a point given as fractions of the arena (0..1 each way). */
export function placeWord(fx: number, fy: number): string {
  const col = fx < 1 / 3 ? 'left' : fx > 2 / 3 ? 'right' : '';
  const row = fy < 1 / 3 ? 'top' : fy > 2 / 3 ? 'bottom' : '';
  if (row === '' && col === '') return 'centre';
  return [row, col].filter((w) => w !== '').join(' ');
}

/** "a" or "an" before a word. */
export function article(word: string): string {
  return /^[aeiou]/i.test(word) ? 'an' : 'a';
}

/** Joins items as "a, b and c". */
export function joinWords(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items.at(-1) ?? ''}`;
}
