/**
 * PPO-ptx (InstructGPT; OpenRLHF's ptx loss): every GRPO update also lowers γ·NLL of a few CoT-SFT
 * examples, the data SFT trained on, so RL moves the policy without forgetting it. The examples
 * of update s sit at position s·rows of a seeded epoch order, a function of the step alone: a
 * resumed learner draws the same ones and its checkpoint needs no extra state. Both learners (the
 * local loop and the service) use this module.
 */
import { readSamples } from '@vrft/data';
import { type ModelConfig } from '@vrft/model';
import { type Tokenizer } from '@vrft/tokenizer';
import { type ClipFrameLoader } from '../clip-frames.js';
import { TrainingDataError } from '../errors.js';
import { type TokenizedExample } from '../examples.js';
import { type LineSink } from '../progress.js';
import { tokenizeSftSample } from '../sft-stage.js';
import { takeInEpochOrder } from '../training-rng.js';

/** The PPO-ptx term of a GRPO run. */
export interface PtxOptions {
  /** CoT-SFT samples (JSON or JSONL, Video-R1 format with `process`). */
  readonly file: string;
  /** γ, the weight of the supervised NLL against the GRPO loss. */
  readonly coefficient: number;
  /** Supervised examples per update. */
  readonly rows: number;
}

/** Defaults of the PPO-ptx term's weight and size (the file has none). */
export const DEFAULT_PTX: Omit<PtxOptions, 'file'> = { coefficient: 0.1, rows: 8 };

/**
 * The CoT-SFT samples of `file` as SFT trains on them (reasoning prompt, loss on the completion);
 * samples too long for the context are skipped and counted. Throws TrainingDataError when none fits.
 */
export async function loadPtxExamples(
  file: string,
  model: { readonly tokenizer: Tokenizer; readonly config: ModelConfig },
  frames: ClipFrameLoader,
  out: LineSink,
): Promise<TokenizedExample[]> {
  const examples: TokenizedExample[] = [];
  let skipped = 0;
  for (const sample of await readSamples(file, { kind: 'sft' })) {
    const example = await tokenizeSftSample(sample, model, frames, { trainOnPrompt: false });
    if (example === undefined) skipped += 1;
    else examples.push(example);
  }
  if (examples.length === 0) throw new TrainingDataError(`${file} holds no SFT sample that fits the context`);
  out.write(`ptx: ${examples.length} SFT examples of ${file} (${skipped} too long, skipped)\n`);
  return examples;
}

/** The `rows` ptx examples of update `step` (0-based) of a run seeded `runSeed`. */
export function ptxExamplesOfStep(
  examples: readonly TokenizedExample[],
  step: number,
  rows: number,
  runSeed: number,
): TokenizedExample[] {
  const at = { epoch: Math.floor((step * rows) / examples.length), index: (step * rows) % examples.length };
  return takeInEpochOrder(examples, at, rows, runSeed + 1);
}
