/**
 * Stage 0a: the tokenizer. Byte-level BPE (@vrft/tokenizer) trained on the synthetic world's
 * texts (captions, questions, options, answers, prompt wording) and optionally on the texts of
 * sample files (e.g. a CoT-SFT JSONL), saved as tokenizer.json.
 */
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { readSamples, type SyntheticOptionsInput } from '@vrft/data';
import { trainBpe, type Tokenizer } from '@vrft/tokenizer';
import { TrainingOptionsError } from './errors.js';
import { worldCorpus } from './world-texts.js';

/** Options of trainTokenizerStage. */
export interface TokenizerStageOptions {
  /** Where tokenizer.json goes. */
  readonly outPath: string;
  /** Synthetic train clips whose texts form the corpus. Default 2000. */
  readonly clips: number;
  /** First local train seed of those clips. Default 0. */
  readonly firstSeed: number;
  /** Vocabulary size, special and byte tokens included. Default 2048. */
  readonly vocabSize: number;
  /** World and question options (as for `vrft data generate`). Default: the medium preset. */
  readonly synthetic: SyntheticOptionsInput;
  /** Sample files (JSON/JSONL, Video-R1 format) whose problem, options, process and solution join the corpus. */
  readonly extraFiles: readonly string[];
}

/** Defaults of TokenizerStageOptions (outPath has none). */
export const DEFAULT_TOKENIZER_STAGE_OPTIONS: Omit<TokenizerStageOptions, 'outPath'> = {
  clips: 2000,
  firstSeed: 0,
  vocabSize: 2048,
  synthetic: {},
  extraFiles: [],
};

/** Validates the options over the defaults; throws TrainingOptionsError naming the field. */
export function parseTokenizerStageOptions(input: Partial<TokenizerStageOptions>): TokenizerStageOptions {
  const options = { ...DEFAULT_TOKENIZER_STAGE_OPTIONS, ...input };
  if (typeof options.outPath !== 'string' || options.outPath === '')
    throw new TrainingOptionsError('outPath', 'expected a file path');
  if (!Number.isInteger(options.clips) || options.clips < 1)
    throw new TrainingOptionsError('clips', `expected an integer ≥ 1, got ${options.clips}`);
  if (!Number.isInteger(options.firstSeed) || options.firstSeed < 0)
    throw new TrainingOptionsError('firstSeed', `expected an integer ≥ 0, got ${options.firstSeed}`);
  if (!Number.isInteger(options.vocabSize) || options.vocabSize < 300 || options.vocabSize > 65536)
    throw new TrainingOptionsError('vocabSize', `expected an integer in [300, 65536], got ${options.vocabSize}`);
  return options as TokenizerStageOptions;
}

/** Trains and saves the tokenizer; returns it with the corpus size. */
export async function trainTokenizerStage(
  input: Partial<TokenizerStageOptions>,
): Promise<{ tokenizer: Tokenizer; texts: number; path: string }> {
  const options = parseTokenizerStageOptions(input);
  const texts: string[] = [...worldCorpus(options.clips, options.firstSeed, options.synthetic)];
  for (const file of options.extraFiles) {
    for (const sample of await readSamples(file, { kind: 'eval', checkAnswers: false })) {
      texts.push(sample.problem, ...(sample.options ?? []), sample.solution);
      if (sample.process !== undefined) texts.push(sample.process);
    }
  }
  const tokenizer = trainBpe(texts, { vocabSize: options.vocabSize });
  await mkdir(dirname(options.outPath), { recursive: true });
  await tokenizer.save(options.outPath);
  return { tokenizer, texts: texts.length, path: options.outPath };
}
