import { describe, expect, it } from 'vitest';
import { stemPorter } from '../src/porter-stemmer.js';

describe('stemPorter', () => {
  // Examples from Porter's 1980 paper, run through the whole algorithm.
  it.each([
    // step 1a
    ['caresses', 'caress'],
    ['ponies', 'poni'],
    ['ties', 'ti'],
    ['caress', 'caress'],
    ['cats', 'cat'],
    // step 1b
    ['feed', 'feed'],
    ['agreed', 'agre'], // 1b gives agree, 5a drops the e (m = 1, not *o)
    ['plastered', 'plaster'],
    ['bled', 'bled'],
    ['motoring', 'motor'],
    ['sing', 'sing'],
    ['hopping', 'hop'],
    ['tanned', 'tan'],
    ['falling', 'fall'],
    ['hissing', 'hiss'],
    ['fizzed', 'fizz'],
    ['failing', 'fail'],
    ['filing', 'file'],
    ['troubled', 'troubl'],
    // step 1c
    ['happy', 'happi'],
    ['sky', 'sky'],
    // steps 2–4 (the paper's examples whose later steps change nothing more)
    ['relational', 'relat'],
    ['conditional', 'condit'],
    ['rational', 'ration'],
    ['revival', 'reviv'],
    ['allowance', 'allow'],
    ['inference', 'infer'],
    ['airliner', 'airlin'],
    ['gyroscopic', 'gyroscop'],
    ['adjustable', 'adjust'],
    ['defensible', 'defens'],
    ['irritant', 'irrit'],
    ['replacement', 'replac'],
    ['adjustment', 'adjust'],
    ['dependent', 'depend'],
    ['adoption', 'adopt'],
    ['homologous', 'homolog'],
    ['communism', 'commun'],
    ['activate', 'activ'],
    ['angularity', 'angular'],
    ['effective', 'effect'],
    ['bowdlerize', 'bowdler'],
    ['hopeful', 'hope'],
    ['goodness', 'good'],
    ['triplicate', 'triplic'],
    ['formative', 'form'],
    ['electrical', 'electr'],
    // step 5
    ['probate', 'probat'],
    ['rate', 'rate'],
    ['cease', 'ceas'],
    ['controlling', 'control'],
    ['roll', 'roll'],
    // whole words through several steps
    ['generalizations', 'gener'],
    ['oscillators', 'oscil'],
    ['connection', 'connect'],
    ['connected', 'connect'],
    ['connecting', 'connect'],
    ['running', 'run'],
    ['boys', 'boi'],
  ])('%s → %s', (word, stem) => {
    expect(stemPorter(word)).toBe(stem);
  });

  // Only the rule with the longest matching suffix is tried: "cement" ends in
  // -ement, whose stem "c" has m = 0, so -ment and -ent are not tried.
  it('tries only the longest matching suffix of a step', () => {
    expect(stemPorter('cement')).toBe('cement');
  });

  it.each(['is', 'a', 'Running', 'café', 'x2', ''])('leaves %j unchanged', (word) => {
    expect(stemPorter(word)).toBe(word);
  });
});
