/**
 * The pre-tokenizer: cuts text into pieces that BPE never merges across, and maps each piece to
 * its byte-level string. Built from the `pre_tokenizer` field of a tokenizer.json.
 */
import { textToByteLevel } from './byte-level.js';
import { TokenizerFormatError } from './errors.js';
import { readArray, readBoolean, readObject, readString, readType } from './json-fields.js';
import {
  compilePattern,
  escapeRegExp,
  GPT2_PATTERN,
  PRE_TOKENIZE_PATTERN,
  SPLIT_BEHAVIORS,
  splitByPattern,
  type SplitBehavior,
} from './split-pattern.js';

type PreTokenizeStep =
  | { kind: 'split'; regex: RegExp; behavior: SplitBehavior; invert: boolean }
  | { kind: 'byteLevel'; addPrefixSpace: boolean; regex: RegExp | undefined };

/** Splits text into byte-level pieces, the units BPE merges within. */
export class PreTokenizer {
  constructor(private readonly steps: readonly PreTokenizeStep[]) {}

  /** Pieces of `text`, each already mapped to byte-level characters. */
  split(text: string): string[] {
    let pieces = text.length > 0 ? [text] : [];
    for (const step of this.steps) {
      const next: string[] = [];
      for (const piece of pieces) {
        if (step.kind === 'split') {
          for (const part of splitByPattern(piece, step.regex, step.behavior, step.invert)) {
            if (part.length > 0) next.push(part);
          }
          continue;
        }
        // Hugging Face ByteLevel: optional prefix space on every piece, optional GPT-2 regex,
        // then every byte becomes its byte-level character.
        const spaced = step.addPrefixSpace && !piece.startsWith(' ') ? ` ${piece}` : piece;
        const parts = step.regex ? splitByPattern(spaced, step.regex, 'Isolated', false) : [spaced];
        for (const part of parts) if (part.length > 0) next.push(textToByteLevel(part));
      }
      pieces = next;
    }
    return pieces;
  }
}

/** The pre_tokenizer this package writes: Split on PRE_TOKENIZE_PATTERN, then plain ByteLevel. */
export function defaultPreTokenizerConfig(): Record<string, unknown> {
  return {
    type: 'Sequence',
    pretokenizers: [
      { type: 'Split', pattern: { Regex: PRE_TOKENIZE_PATTERN }, behavior: 'Isolated', invert: false },
      { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: false },
    ],
  };
}

function compileSplit(config: Readonly<Record<string, unknown>>, field: string): PreTokenizeStep {
  const pattern = readObject(config['pattern'], `${field}.pattern`);
  let regex: RegExp;
  if (pattern['Regex'] !== undefined) {
    regex = compilePattern(readString(pattern['Regex'], `${field}.pattern.Regex`), `${field}.pattern.Regex`);
  } else if (pattern['String'] !== undefined) {
    regex = new RegExp(escapeRegExp(readString(pattern['String'], `${field}.pattern.String`)), 'gu');
  } else {
    throw new TokenizerFormatError(`${field}.pattern`, 'expected a "Regex" or a "String" entry');
  }
  const behavior = readString(config['behavior'], `${field}.behavior`);
  if (!(SPLIT_BEHAVIORS as readonly string[]).includes(behavior)) {
    throw new TokenizerFormatError(`${field}.behavior`, `expected one of ${SPLIT_BEHAVIORS.join(', ')}`);
  }
  const invert = readBoolean(config['invert'], `${field}.invert`, false);
  return { kind: 'split', regex, behavior: behavior as SplitBehavior, invert };
}

function compileByteLevel(config: Readonly<Record<string, unknown>>, field: string): PreTokenizeStep {
  const addPrefixSpace = readBoolean(config['add_prefix_space'], `${field}.add_prefix_space`, true);
  readBoolean(config['trim_offsets'], `${field}.trim_offsets`, true); // offsets only: validated, unused
  const useRegex = readBoolean(config['use_regex'], `${field}.use_regex`, true);
  return { kind: 'byteLevel', addPrefixSpace, regex: useRegex ? compilePattern(GPT2_PATTERN, field) : undefined };
}

function compileSteps(value: unknown, field: string, out: PreTokenizeStep[]): void {
  const config = readObject(value, field);
  const type = readType(config, field);
  switch (type) {
    case 'Sequence': {
      const steps = readArray(config['pretokenizers'], `${field}.pretokenizers`);
      steps.forEach((step, i) => compileSteps(step, `${field}.pretokenizers[${i}]`, out));
      return;
    }
    case 'Split':
      out.push(compileSplit(config, field));
      return;
    case 'ByteLevel':
      out.push(compileByteLevel(config, field));
      return;
    default:
      throw new TokenizerFormatError(`${field}.type`, `unsupported pre-tokenizer ${JSON.stringify(type)}`);
  }
}

/**
 * Builds a PreTokenizer from a `pre_tokenizer` config: ByteLevel, Split, or a Sequence of them.
 * Exactly one ByteLevel step is required, since the vocabulary is byte-level.
 */
export function compilePreTokenizer(value: unknown, field = 'pre_tokenizer'): PreTokenizer {
  const steps: PreTokenizeStep[] = [];
  compileSteps(value, field, steps);
  const byteLevelSteps = steps.filter((step) => step.kind === 'byteLevel').length;
  if (byteLevelSteps !== 1) {
    throw new TokenizerFormatError(field, `expected exactly one ByteLevel step, found ${byteLevelSteps}`);
  }
  return new PreTokenizer(steps);
}
