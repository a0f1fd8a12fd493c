/**
 * The Hugging Face tokenizer.json format: its shape, a validating reader that names the bad field,
 * and a deterministic writer (vocabulary in id order, one merge per line).
 */
import { type AddedToken } from './added-tokens.js';
import { TOKEN_ID_LIMIT } from './bpe-model.js';
import { TokenizerFormatError } from './errors.js';
import { readArray, readBoolean, readIndex, readObject, readString, type JsonObject } from './json-fields.js';

/** The BPE `model` section. */
export interface BpeModelJson {
  readonly type: 'BPE';
  readonly dropout: null;
  readonly unk_token: string | null;
  readonly continuing_subword_prefix: null;
  readonly end_of_word_suffix: null;
  readonly fuse_unk: boolean;
  readonly byte_fallback: false;
  readonly ignore_merges: boolean;
  readonly vocab: Readonly<Record<string, number>>;
  /** Written as "left right" strings; read in that form or as [left, right] pairs. */
  readonly merges: readonly string[] | readonly (readonly [string, string])[];
}

/** A whole tokenizer.json, as this package writes it. */
export interface TokenizerJson {
  readonly version: string;
  readonly truncation: JsonObject | null;
  readonly padding: JsonObject | null;
  readonly added_tokens: readonly AddedToken[];
  readonly normalizer: JsonObject | null;
  readonly pre_tokenizer: JsonObject;
  readonly post_processor: JsonObject | null;
  readonly decoder: JsonObject;
  readonly model: BpeModelJson;
}

/** A validated tokenizer.json: the model tables resolved, the pipeline configs kept as given. */
export interface TokenizerSpec {
  readonly version: string;
  readonly truncation: JsonObject | null;
  readonly padding: JsonObject | null;
  readonly addedTokens: readonly AddedToken[];
  readonly normalizer: JsonObject | null;
  readonly preTokenizer: JsonObject;
  readonly postProcessor: JsonObject | null;
  readonly decoder: JsonObject;
  /** token → id of the BPE model (added tokens may be in it too, at the same id) */
  readonly vocab: ReadonlyMap<string, number>;
  /** merge rules in rank order */
  readonly merges: readonly (readonly [string, string])[];
  readonly unkToken: string | null;
  readonly fuseUnk: boolean;
  readonly ignoreMerges: boolean;
}

export function readNullableObject(value: unknown, field: string): JsonObject | null {
  return value === null || value === undefined ? null : (structuredClone(readObject(value, field)) as JsonObject);
}

function readTypedObject(value: unknown, field: string): JsonObject {
  const object = readObject(value, field);
  readString(object['type'], `${field}.type`);
  return structuredClone(object) as JsonObject;
}

// Only the ByteLevel decoder makes sense for a byte-level vocabulary.
function readDecoder(value: unknown): JsonObject {
  const decoder = readTypedObject(value, 'decoder');
  if (decoder['type'] !== 'ByteLevel') {
    throw new TokenizerFormatError(
      'decoder.type',
      `unsupported decoder ${JSON.stringify(decoder['type'])}, expected "ByteLevel"`,
    );
  }
  return decoder;
}

/** Reads `added_tokens`, naming a bad entry. */
export function readAddedTokens(value: unknown): AddedToken[] {
  const seen = new Map<string, number>();
  return readArray(value, 'added_tokens').map((entry, i) => {
    const field = `added_tokens[${i}]`;
    const token = readObject(entry, field);
    const content = readString(token['content'], `${field}.content`);
    if (content.length === 0) throw new TokenizerFormatError(`${field}.content`, 'must not be empty');
    if (seen.has(content))
      throw new TokenizerFormatError(`${field}.content`, `duplicate of added_tokens[${seen.get(content)}]`);
    seen.set(content, i);
    return {
      id: readIndex(token['id'], `${field}.id`, TOKEN_ID_LIMIT),
      content,
      single_word: readBoolean(token['single_word'], `${field}.single_word`, false),
      lstrip: readBoolean(token['lstrip'], `${field}.lstrip`, false),
      rstrip: readBoolean(token['rstrip'], `${field}.rstrip`, false),
      normalized: readBoolean(token['normalized'], `${field}.normalized`, false),
      special: readBoolean(token['special'], `${field}.special`, false),
    };
  });
}

function readVocab(value: unknown): Map<string, number> {
  const vocab = new Map<string, number>();
  const owners = new Map<number, string>();
  for (const [token, id] of Object.entries(readObject(value, 'model.vocab'))) {
    const field = `model.vocab[${JSON.stringify(token)}]`;
    const checked = readIndex(id, field, TOKEN_ID_LIMIT);
    const owner = owners.get(checked);
    if (owner !== undefined)
      throw new TokenizerFormatError(field, `id ${checked} is also used by ${JSON.stringify(owner)}`);
    owners.set(checked, token);
    vocab.set(token, checked);
  }
  return vocab;
}

function readMerge(entry: unknown, field: string): [string, string] {
  if (typeof entry === 'string') {
    const parts = entry.split(' ');
    if (parts.length !== 2 || parts[0] === '' || parts[1] === '') {
      throw new TokenizerFormatError(
        field,
        `expected "left right" with exactly one space, got ${JSON.stringify(entry)}`,
      );
    }
    return [parts[0] as string, parts[1] as string];
  }
  const pair = readArray(entry, field);
  if (pair.length !== 2)
    throw new TokenizerFormatError(field, `expected a pair [left, right], got ${pair.length} items`);
  return [readString(pair[0], `${field}[0]`), readString(pair[1], `${field}[1]`)];
}

function readMerges(value: unknown, vocab: ReadonlyMap<string, number>): [string, string][] {
  return readArray(value, 'model.merges').map((entry, i) => {
    const field = `model.merges[${i}]`;
    const [left, right] = readMerge(entry, field);
    for (const part of [left, right]) {
      if (!vocab.has(part))
        throw new TokenizerFormatError(field, `token ${JSON.stringify(part)} is not in model.vocab`);
    }
    if (!vocab.has(left + right)) {
      throw new TokenizerFormatError(field, `merged token ${JSON.stringify(left + right)} is not in model.vocab`);
    }
    return [left, right];
  });
}

function rejectUnsupported(model: JsonObject, key: string, allowed: (value: unknown) => boolean, why: string): void {
  if (!allowed(model[key])) throw new TokenizerFormatError(`model.${key}`, why);
}

function readModel(value: unknown): Pick<TokenizerSpec, 'vocab' | 'merges' | 'unkToken' | 'fuseUnk' | 'ignoreMerges'> {
  const model = readObject(value, 'model');
  if (model['type'] === 'Unigram') {
    throw new TokenizerFormatError(
      'model.type',
      'a Unigram model is not byte-level BPE: read it with parseAnyTokenizer or loadAnyTokenizer',
    );
  }
  if (model['type'] !== undefined && model['type'] !== 'BPE') {
    throw new TokenizerFormatError('model.type', `unsupported model ${JSON.stringify(model['type'])}, expected "BPE"`);
  }
  const empty = (v: unknown): boolean => v === undefined || v === null || v === '';
  rejectUnsupported(model, 'dropout', (v) => empty(v) || v === 0, 'BPE dropout is not supported (expected null)');
  rejectUnsupported(model, 'continuing_subword_prefix', empty, 'subword prefixes are not supported (expected null)');
  rejectUnsupported(model, 'end_of_word_suffix', empty, 'end-of-word suffixes are not supported (expected null)');
  rejectUnsupported(model, 'byte_fallback', (v) => v === undefined || v === false, 'byte fallback is not supported');
  const vocab = readVocab(model['vocab']);
  const merges = readMerges(model['merges'], vocab);
  let unkToken: string | null = null;
  if (model['unk_token'] !== undefined && model['unk_token'] !== null) {
    unkToken = readString(model['unk_token'], 'model.unk_token');
    if (!vocab.has(unkToken))
      throw new TokenizerFormatError('model.unk_token', `${JSON.stringify(unkToken)} is not in model.vocab`);
  }
  const fuseUnk = readBoolean(model['fuse_unk'], 'model.fuse_unk', false);
  const ignoreMerges = readBoolean(model['ignore_merges'], 'model.ignore_merges', false);
  return { vocab, merges, unkToken, fuseUnk, ignoreMerges };
}

/** Checks that added tokens and the model vocabulary agree on ids. */
export function checkIds(addedTokens: readonly AddedToken[], vocab: ReadonlyMap<string, number>): void {
  const vocabById = new Map<number, string>();
  for (const [token, id] of vocab) vocabById.set(id, token);
  const addedById = new Map<number, number>();
  addedTokens.forEach((token, i) => {
    const field = `added_tokens[${i}].id`;
    const other = addedById.get(token.id);
    if (other !== undefined)
      throw new TokenizerFormatError(field, `id ${token.id} is also used by added_tokens[${other}]`);
    addedById.set(token.id, i);
    const inVocab = vocab.get(token.content);
    if (inVocab !== undefined && inVocab !== token.id) {
      throw new TokenizerFormatError(
        field,
        `${token.id} differs from the id ${inVocab} of the same token in model.vocab`,
      );
    }
    const owner = vocabById.get(token.id);
    if (owner !== undefined && owner !== token.content) {
      throw new TokenizerFormatError(field, `id ${token.id} belongs to ${JSON.stringify(owner)} in model.vocab`);
    }
  });
}

/** The root object of a tokenizer.json given as text or as a parsed value. */
export function readJsonRoot(input: unknown): JsonObject {
  let value = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input) as unknown;
    } catch (cause) {
      throw new TokenizerFormatError('(root)', `not valid JSON (${(cause as Error).message})`, { cause });
    }
  }
  return readObject(value, '(root)');
}

/** Validates a parsed tokenizer.json (or its text) and returns its spec. */
export function parseTokenizerJson(input: unknown): TokenizerSpec {
  const root = readJsonRoot(input);
  const version = readString(root['version'], 'version');
  const addedTokens = readAddedTokens(root['added_tokens'] ?? []);
  const model = readModel(root['model']);
  checkIds(addedTokens, model.vocab);
  return {
    version,
    truncation: readNullableObject(root['truncation'], 'truncation'),
    padding: readNullableObject(root['padding'], 'padding'),
    addedTokens,
    normalizer: readNullableObject(root['normalizer'], 'normalizer'),
    preTokenizer: readTypedObject(root['pre_tokenizer'], 'pre_tokenizer'),
    postProcessor: root['post_processor'] == null ? null : readTypedObject(root['post_processor'], 'post_processor'),
    decoder: readDecoder(root['decoder']),
    ...model,
  };
}

/**
 * The spec as a tokenizer.json object. Merges are written as "left right" strings, the form every
 * version of Hugging Face `tokenizers` reads; byte-level tokens never contain a space, and if a
 * hand-added token does, all merges are written as pairs instead so none is ambiguous.
 */
export function toTokenizerJson(spec: TokenizerSpec): TokenizerJson {
  // fromEntries defines own properties, so a token such as "__proto__" stays an ordinary key.
  const vocab: Record<string, number> = Object.fromEntries([...spec.vocab].sort((a, b) => a[1] - b[1]));
  const ambiguous = spec.merges.some(([left, right]) => left.includes(' ') || right.includes(' '));
  return {
    version: spec.version,
    truncation: structuredClone(spec.truncation),
    padding: structuredClone(spec.padding),
    added_tokens: spec.addedTokens.map((token) => ({ ...token })),
    normalizer: structuredClone(spec.normalizer),
    pre_tokenizer: structuredClone(spec.preTokenizer),
    post_processor: structuredClone(spec.postProcessor),
    decoder: structuredClone(spec.decoder),
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: spec.unkToken,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: spec.fuseUnk,
      byte_fallback: false,
      ignore_merges: spec.ignoreMerges,
      vocab,
      merges: ambiguous ? spec.merges.map(([l, r]) => [l, r] as const) : spec.merges.map(([l, r]) => `${l} ${r}`),
    },
  };
}

function indent(text: string, spaces: number): string {
  return text.replaceAll('\n', `\n${' '.repeat(spaces)}`);
}

/**
 * Writes tokenizer.json text deterministically: 2-space indentation, the vocabulary in id order
 * (a plain object would put integer-like tokens such as "7" first), one merge per line.
 */
export function stringifyTokenizerJson(json: TokenizerJson): string {
  const { model, ...head } = json;
  const { vocab, merges, ...modelHead } = model;
  const lines: string[] = ['{'];
  for (const [key, value] of Object.entries(head))
    lines.push(`  ${JSON.stringify(key)}: ${indent(JSON.stringify(value, null, 2), 2)},`);
  lines.push('  "model": {');
  for (const [key, value] of Object.entries(modelHead))
    lines.push(`    ${JSON.stringify(key)}: ${JSON.stringify(value)},`);
  const vocabLines = Object.entries(vocab)
    .sort((a, b) => a[1] - b[1])
    .map(([token, id]) => `      ${JSON.stringify(token)}: ${id}`);
  lines.push(vocabLines.length > 0 ? `    "vocab": {\n${vocabLines.join(',\n')}\n    },` : '    "vocab": {},');
  const mergeLines = merges.map((merge) => `      ${JSON.stringify(merge)}`);
  lines.push(mergeLines.length > 0 ? `    "merges": [\n${mergeLines.join(',\n')}\n    ]` : '    "merges": []');
  lines.push('  }', '}', '');
  return lines.join('\n');
}
