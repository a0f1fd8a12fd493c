/** Loading a tokenizer.json file. */
import { type TokenizerOptionsInput } from './options.js';
import { Tokenizer } from './tokenizer.js';
import { readTextFile } from './tokenizer-file.js';

/** Reads and validates a tokenizer.json file (ours, or a GPT-2-style one from elsewhere). */
export async function loadTokenizer(path: string, options?: TokenizerOptionsInput): Promise<Tokenizer> {
  return Tokenizer.fromJSON(await readTextFile(path), options);
}
