/** Small helpers for varied wording: pick one of several phrasings with the writer's seeded RNG. */
import { type Rng } from '@vrft/data';

/** One of `options`, chosen by `rng`. */
export function say(rng: Rng, options: readonly string[]): string {
  return rng.pick(options);
}

/** Upper-cases the first letter. */
export function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** A 32-bit FNV-1a hash of a string, to seed the writer per sample. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}
