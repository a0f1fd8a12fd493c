/** Seeded randomness and text generators shared by the tokenizer tests. */

/** mulberry32: a small seeded PRNG returning floats in [0, 1). */
export function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A random integer in [min, max]. */
export function randomInt(random: () => number, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[randomInt(random, 0, items.length - 1)] as T;
}

// Code point ranges that stress the byte-level path: ASCII, controls, Latin-1, combining marks,
// CJK, Hangul, Arabic, Devanagari, emoji (surrogate pairs in UTF-16) and the rest of the astral planes.
const RANGES: readonly (readonly [number, number])[] = [
  [0x20, 0x7e],
  [0x00, 0x1f],
  [0x7f, 0x9f],
  [0xa0, 0xff],
  [0x300, 0x36f],
  [0x4e00, 0x9fff],
  [0xac00, 0xd7a3],
  [0x600, 0x6ff],
  [0x900, 0x97f],
  [0x1f300, 0x1faff],
  [0x10000, 0x10ffff],
];
const WHITESPACE = [' ', ' ', '\t', '\n', '\r\n', '\u00a0', '\u3000', '\u2028', '\u0085', '\ufeff', '\u200b'];
const FRAGMENTS = ['<think>', '</think>', '<answer>', '</answer>', '<video>', '<thi', 'nk>', '</', "'s", "'LL", '3.14'];

/** A random string of valid Unicode scalar values (no lone surrogates), mixing scripts and whitespace runs. */
export function randomUnicodeString(random: () => number, maxParts = 24): string {
  let out = '';
  const parts = randomInt(random, 0, maxParts);
  for (let i = 0; i < parts; i++) {
    const kind = random();
    if (kind < 0.2) {
      out += pick(random, WHITESPACE).repeat(randomInt(random, 1, 4));
    } else if (kind < 0.28) {
      out += pick(random, FRAGMENTS);
    } else {
      const [low, high] = pick(random, RANGES);
      let code = randomInt(random, low, high);
      if (code >= 0xd800 && code <= 0xdfff) code = 0xfffd;
      out += String.fromCodePoint(code);
    }
  }
  return out;
}

const WORDS = [
  'the',
  'red',
  'ball',
  'moves',
  'left',
  'right',
  'circle',
  'square',
  'frame',
  'video',
  'count',
  'objects',
  'first',
  'then',
  'after',
  'before',
  'blue',
  'green',
  'appears',
  'disappears',
  'how',
  'many',
  'times',
  'is',
  "it's",
  'answer',
  'question',
  'reasoning',
  'because',
  'speed',
  'faster',
  'slower',
  'A',
  'B',
  'C',
  'D',
];

/** A synthetic reasoning-style corpus of n samples: think and answer tags, numbers, punctuation. */
export function createCorpus(seed: number, samples: number): string[] {
  const random = createRandom(seed);
  const corpus: string[] = [];
  for (let i = 0; i < samples; i++) {
    const sentence = (): string =>
      Array.from({ length: randomInt(random, 3, 12) }, () => pick(random, WORDS)).join(' ') +
      pick(random, ['.', '?', '!', ',', ' —', ':']);
    const thought = Array.from({ length: randomInt(random, 1, 4) }, sentence).join(' ');
    const answer = random() < 0.5 ? pick(random, ['A', 'B', 'C', 'D']) : String(randomInt(random, 0, 2000) / 10);
    corpus.push(`<video> ${sentence()}\n<think>${thought}</think>\n<answer>${answer}</answer>`);
  }
  return corpus;
}
