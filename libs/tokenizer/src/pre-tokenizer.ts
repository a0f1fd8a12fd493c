/**
 * The pre-tokenizer: cuts text into pieces that the model never merges across — for BPE mapping
 * each piece to its byte-level string, for Unigram marking word starts with Metaspace's "▁".
 * Built from the `pre_tokenizer` field of a tokenizer.json.
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

/** When Metaspace adds its replacement in front of a piece. */
export type PrependScheme = 'always' | 'first' | 'never';

type PreTokenizeStep =
  | { kind: 'split'; regex: RegExp; behavior: SplitBehavior; invert: boolean }
  | { kind: 'byteLevel'; addPrefixSpace: boolean; regex: RegExp | undefined }
  | { kind: 'metaspace'; replacement: string; prependScheme: PrependScheme; split: boolean; delimiter: RegExp }
  | { kind: 'whitespaceSplit' };

/** A piece and whether it starts at the start of the text (Metaspace's "first" scheme asks). */
interface Piece {
  readonly text: string;
  readonly first: boolean;
}

const WHITESPACE_RUN = /\p{White_Space}+/u;
const SPACE = / /g;

// Whether a Removed split drops text at the very start of `text`.
function dropsStart(text: string, step: { regex: RegExp; invert: boolean }): boolean {
  step.regex.lastIndex = 0;
  const match = step.regex.exec(text);
  const matchesAtStart = match !== null && match.index === 0 && match[0].length > 0;
  return step.invert ? !matchesAtStart : matchesAtStart;
}

function applyStep(step: PreTokenizeStep, piece: Piece, next: Piece[]): void {
  const push = (parts: readonly string[], firstKept: boolean): void => {
    let first = firstKept;
    for (const part of parts) {
      if (part.length === 0) continue;
      next.push({ text: part, first });
      first = false;
    }
  };
  switch (step.kind) {
    case 'split': {
      const parts = splitByPattern(piece.text, step.regex, step.behavior, step.invert);
      push(parts, piece.first && !(step.behavior === 'Removed' && dropsStart(piece.text, step)));
      return;
    }
    case 'byteLevel': {
      // Hugging Face ByteLevel: optional prefix space on every piece, optional GPT-2 regex,
      // then every byte becomes its byte-level character.
      const spaced = step.addPrefixSpace && !piece.text.startsWith(' ') ? ` ${piece.text}` : piece.text;
      const parts = step.regex ? splitByPattern(spaced, step.regex, 'Isolated', false) : [spaced];
      push(
        parts.map((part) => textToByteLevel(part)),
        piece.first,
      );
      return;
    }
    case 'metaspace': {
      // Hugging Face Metaspace: every space becomes the replacement, the replacement is put in
      // front (always, or only on the text's first piece), then the piece is cut before each
      // replacement (MergedWithNext), so "▁a▁b" → "▁a", "▁b".
      let text = piece.text.replace(SPACE, step.replacement);
      const prepend = step.prependScheme === 'always' || (step.prependScheme === 'first' && piece.first);
      if (prepend && !text.startsWith(step.replacement)) text = step.replacement + text;
      push(step.split ? splitByPattern(text, step.delimiter, 'MergedWithNext', false) : [text], piece.first);
      return;
    }
    case 'whitespaceSplit':
      push(piece.text.split(WHITESPACE_RUN), piece.first && !WHITESPACE_RUN.test(piece.text[0] ?? ''));
      return;
  }
}

/** Splits normalised text into the pieces the model tokenizes one by one. */
export class PreTokenizer {
  constructor(private readonly steps: readonly PreTokenizeStep[]) {}

  /**
   * Pieces of `text` (byte-level strings when the config has a ByteLevel step). `atStart`: the
   * text begins the input (it does not follow an added token), for Metaspace's "first" scheme.
   */
  split(text: string, atStart = true): string[] {
    let pieces: Piece[] = text.length > 0 ? [{ text, first: atStart }] : [];
    for (const step of this.steps) {
      const next: Piece[] = [];
      for (const piece of pieces) applyStep(step, piece, next);
      pieces = next;
    }
    return pieces.map((piece) => piece.text);
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

/** Reads the Metaspace fields shared by the pre-tokenizer and the decoder. */
export function readMetaspace(
  config: Readonly<Record<string, unknown>>,
  field: string,
): { replacement: string; prependScheme: PrependScheme; split: boolean } {
  const replacement = readString(config['replacement'] ?? '\u2581', `${field}.replacement`);
  if ([...replacement].length !== 1) {
    throw new TokenizerFormatError(
      `${field}.replacement`,
      `expected one character, got ${JSON.stringify(replacement)}`,
    );
  }
  let prependScheme: PrependScheme;
  if (config['prepend_scheme'] !== undefined) {
    const scheme = readString(config['prepend_scheme'], `${field}.prepend_scheme`);
    if (scheme !== 'always' && scheme !== 'first' && scheme !== 'never') {
      throw new TokenizerFormatError(
        `${field}.prepend_scheme`,
        `expected always, first or never, got ${JSON.stringify(scheme)}`,
      );
    }
    prependScheme = scheme;
  } else {
    // Files from before prepend_scheme existed say add_prefix_space instead.
    prependScheme = readBoolean(config['add_prefix_space'], `${field}.add_prefix_space`, true) ? 'always' : 'never';
  }
  const split = readBoolean(config['split'], `${field}.split`, true);
  return { replacement, prependScheme, split };
}

function compileMetaspace(config: Readonly<Record<string, unknown>>, field: string): PreTokenizeStep {
  const { replacement, prependScheme, split } = readMetaspace(config, field);
  return {
    kind: 'metaspace',
    replacement,
    prependScheme,
    split,
    delimiter: new RegExp(escapeRegExp(replacement), 'gu'),
  };
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
    case 'Metaspace':
      out.push(compileMetaspace(config, field));
      return;
    case 'WhitespaceSplit':
      out.push({ kind: 'whitespaceSplit' });
      return;
    default:
      throw new TokenizerFormatError(
        `${field}.type`,
        `unsupported pre-tokenizer ${JSON.stringify(type)} (supported: ByteLevel, Split, Metaspace, WhitespaceSplit, Sequence)`,
      );
  }
}

/**
 * Builds a PreTokenizer from a `pre_tokenizer` config: ByteLevel, Split, Metaspace,
 * WhitespaceSplit, or a Sequence of them. A BPE vocabulary here is byte-level, so BPE needs
 * exactly one ByteLevel step; a Unigram vocabulary is plain text, so it takes none, and a null
 * config (no splitting) is allowed.
 */
export function compilePreTokenizer(
  value: unknown,
  field = 'pre_tokenizer',
  model: 'BPE' | 'Unigram' = 'BPE',
): PreTokenizer {
  const steps: PreTokenizeStep[] = [];
  if (model === 'Unigram' && (value === null || value === undefined)) return new PreTokenizer(steps);
  compileSteps(value, field, steps);
  const byteLevelSteps = steps.filter((step) => step.kind === 'byteLevel').length;
  if (model === 'BPE' && byteLevelSteps !== 1) {
    throw new TokenizerFormatError(field, `expected exactly one ByteLevel step, found ${byteLevelSteps}`);
  }
  if (model === 'Unigram' && byteLevelSteps !== 0) {
    throw new TokenizerFormatError(
      field,
      'a ByteLevel step does not go with a Unigram model (its pieces are plain text)',
    );
  }
  return new PreTokenizer(steps);
}
