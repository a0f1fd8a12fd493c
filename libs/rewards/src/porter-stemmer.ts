/**
 * The Porter stemming algorithm (M. F. Porter, "An algorithm for suffix
 * stripping", Program 14(3), 1980), written from the paper's description:
 * five steps of suffix rules, each guarded by the measure m of the stem
 * ([C](VC)^m[V]) and a few shape conditions. Within one rule list only the
 * rule with the longest matching suffix is considered; if its condition fails
 * the step does nothing. The rule lists are the paper's (ABLI→ABLE, no LOGI).
 */

type Rule = readonly [suffix: string, replacement: string];

const STEP2: readonly Rule[] = [
  ['ational', 'ate'],
  ['tional', 'tion'],
  ['enci', 'ence'],
  ['anci', 'ance'],
  ['izer', 'ize'],
  ['abli', 'able'],
  ['alli', 'al'],
  ['entli', 'ent'],
  ['eli', 'e'],
  ['ousli', 'ous'],
  ['ization', 'ize'],
  ['ation', 'ate'],
  ['ator', 'ate'],
  ['alism', 'al'],
  ['iveness', 'ive'],
  ['fulness', 'ful'],
  ['ousness', 'ous'],
  ['aliti', 'al'],
  ['iviti', 'ive'],
  ['biliti', 'ble'],
];

const STEP3: readonly Rule[] = [
  ['icate', 'ic'],
  ['ative', ''],
  ['alize', 'al'],
  ['iciti', 'ic'],
  ['ical', 'ic'],
  ['ful', ''],
  ['ness', ''],
];

const STEP4 = [
  'al',
  'ance',
  'ence',
  'er',
  'ic',
  'able',
  'ible',
  'ant',
  'ement',
  'ment',
  'ent',
  'ion',
  'ou',
  'ism',
  'ate',
  'iti',
  'ous',
  'ive',
  'ize',
] as const;

const LOWER_ASCII_WORD = /^[a-z]+$/;

/**
 * Porter stem of a lower-case English word: caresses → caress, ponies → poni,
 * relational → relat, hopping → hop. Words of one or two letters, and anything
 * that is not all lower-case ASCII letters, are returned unchanged.
 */
export function stemPorter(word: string): string {
  if (word.length <= 2 || !LOWER_ASCII_WORD.test(word)) return word;
  let w = step1a(word);
  w = step1b(w);
  w = step1c(w);
  w = applyLongestRule(w, STEP2, (stem) => measure(stem) > 0);
  w = applyLongestRule(w, STEP3, (stem) => measure(stem) > 0);
  w = step4(w);
  w = step5a(w);
  return step5b(w);
}

// A consonant is a letter other than a, e, i, o, u, and other than a y that follows a consonant.
function isConsonant(w: string, i: number): boolean {
  const c = w[i];
  if (c === 'a' || c === 'e' || c === 'i' || c === 'o' || c === 'u') return false;
  if (c === 'y') return i === 0 || !isConsonant(w, i - 1);
  return true;
}

// m in [C](VC)^m[V]: the number of vowel-run → consonant-run transitions.
function measure(stem: string): number {
  let m = 0;
  let i = 0;
  while (i < stem.length && isConsonant(stem, i)) i++;
  while (i < stem.length) {
    while (i < stem.length && !isConsonant(stem, i)) i++;
    if (i >= stem.length) break;
    while (i < stem.length && isConsonant(stem, i)) i++;
    m++;
  }
  return m;
}

// *v*: the stem contains a vowel.
function containsVowel(stem: string): boolean {
  for (let i = 0; i < stem.length; i++) if (!isConsonant(stem, i)) return true;
  return false;
}

// *d: the stem ends with a double consonant (e.g. -tt, -ss).
function endsDoubleConsonant(stem: string): boolean {
  const n = stem.length;
  return n >= 2 && stem[n - 1] === stem[n - 2] && isConsonant(stem, n - 1);
}

// *o: the stem ends consonant-vowel-consonant, the last consonant not w, x or y.
function endsCvc(stem: string): boolean {
  const n = stem.length;
  if (n < 3) return false;
  const last = stem[n - 1];
  return (
    isConsonant(stem, n - 3) &&
    !isConsonant(stem, n - 2) &&
    isConsonant(stem, n - 1) &&
    last !== 'w' &&
    last !== 'x' &&
    last !== 'y'
  );
}

// Step 1a: SSES → SS, IES → I, SS → SS, S → (nothing).
function step1a(w: string): string {
  if (w.endsWith('sses')) return w.slice(0, -2);
  if (w.endsWith('ies')) return w.slice(0, -2);
  if (w.endsWith('ss')) return w;
  if (w.endsWith('s')) return w.slice(0, -1);
  return w;
}

// Step 1b: (m>0) EED → EE; (*v*) ED → ; (*v*) ING → ; then tidy the stem left by ED/ING.
function step1b(w: string): string {
  if (w.endsWith('eed')) return measure(w.slice(0, -3)) > 0 ? w.slice(0, -1) : w;
  let stem: string;
  if (w.endsWith('ed')) stem = w.slice(0, -2);
  else if (w.endsWith('ing')) stem = w.slice(0, -3);
  else return w;
  if (!containsVowel(stem)) return w;
  if (stem.endsWith('at') || stem.endsWith('bl') || stem.endsWith('iz')) return stem + 'e';
  if (endsDoubleConsonant(stem) && !/[lsz]$/.test(stem)) return stem.slice(0, -1);
  if (measure(stem) === 1 && endsCvc(stem)) return stem + 'e';
  return stem;
}

// Step 1c: (*v*) Y → I.
function step1c(w: string): string {
  if (w.endsWith('y') && containsVowel(w.slice(0, -1))) return w.slice(0, -1) + 'i';
  return w;
}

// Steps 2 and 3: replace the longest matching suffix when the remaining stem satisfies `condition`.
function applyLongestRule(w: string, rules: readonly Rule[], condition: (stem: string) => boolean): string {
  let best: Rule | undefined;
  for (const rule of rules) {
    if (w.endsWith(rule[0]) && (best === undefined || rule[0].length > best[0].length)) best = rule;
  }
  if (best === undefined) return w;
  const stem = w.slice(0, w.length - best[0].length);
  return condition(stem) ? stem + best[1] : w;
}

// Step 4: (m>1) drop the longest matching suffix; ION only after S or T.
function step4(w: string): string {
  let best: string | undefined;
  for (const suffix of STEP4) {
    if (w.endsWith(suffix) && (best === undefined || suffix.length > best.length)) best = suffix;
  }
  if (best === undefined) return w;
  const stem = w.slice(0, w.length - best.length);
  if (measure(stem) <= 1) return w;
  if (best === 'ion' && !stem.endsWith('s') && !stem.endsWith('t')) return w;
  return stem;
}

// Step 5a: (m>1) E → ; (m=1 and not *o) E → .
function step5a(w: string): string {
  if (!w.endsWith('e')) return w;
  const stem = w.slice(0, -1);
  const m = measure(stem);
  return m > 1 || (m === 1 && !endsCvc(stem)) ? stem : w;
}

// Step 5b: (m>1 and *d and *L) → single letter.
function step5b(w: string): string {
  return measure(w) > 1 && endsDoubleConsonant(w) && w.endsWith('l') ? w.slice(0, -1) : w;
}
