/** Fixtures of the R_s tests: a dual encoder exported by the project, and a policy primed to describe. */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readSamples, type VideoSample } from '@vrft/data';
import { writeSeededEncoder } from '@vrft/dual-encoder';
import { runSftStage } from '@vrft/learner-core';

/**
 * Writes a 16×16 dual encoder with the project's exporter (ONNX, tokenizer, encoder.json) to `dir`:
 * seeded weights scaled ×8 so that embeddings spread (as apps/reward-model's fixture). Seed 12 is
 * one whose towers give PRIMED_SPAN a positive cosine with the micro dataset's clips, so R_s is not
 * clipped to 0 (the tests check that precondition first); a 16×16 encoder trained for seconds
 * collapses to negative cosines everywhere.
 */
export async function writeTestEncoder(dir: string, seed = 12): Promise<string> {
  return writeSeededEncoder(dir, { seed, maxTextTokens: 64 /* the recipe's default M */, weightScale: 8 });
}

/** The description span of the primed policy's CoT. */
export const PRIMED_SPAN = 'Four objects move around the arena.';
/** The CoT the primed policy learns: the span after the first full stop, and an answer. */
export const PRIMED_THINK = `<think>Let me look. ${PRIMED_SPAN}</think>`;
export const PRIMED_ANSWER = '<answer>Four objects move around the arena.</answer>';

/**
 * The free-form samples of the dataset as RL prompts (their solutions describe the clip, so the
 * primed answer earns a partial R_a by ROUGE), and a policy SFT-trained from `initDir` to write
 * PRIMED_THINK + PRIMED_ANSWER for them: a random micro policy never writes a `<think>` span, and
 * R_s needs one. Returns the prompts file and the primed checkpoint.
 */
export async function primeDescribingPolicy(
  root: string,
  dataDir: string,
  initDir: string,
  steps: number,
): Promise<{ promptsFile: string; policyDir: string }> {
  const samples = (await readSamples(join(dataDir, 'train.jsonl'), { kind: 'rl' })).filter(
    (s: VideoSample) => s.problem_type === 'free-form',
  );
  if (samples.length === 0) throw new Error('the micro dataset has no free-form sample');
  const promptsFile = join(root, 'free-form.jsonl');
  await writeFile(promptsFile, samples.map((s) => `${JSON.stringify(s)}\n`).join(''));
  const sftFile = join(root, 'primed-sft.jsonl');
  await writeFile(
    sftFile,
    samples.map((s) => `${JSON.stringify({ ...s, process: PRIMED_THINK, solution: PRIMED_ANSWER })}\n`).join(''),
  );
  const result = await runSftStage(
    {
      runDir: join(root, 'primed'),
      init: initDir,
      sftFile,
      dataDir,
      steps,
      batchRows: 4,
      validationFraction: 0,
      optimizer: { learningRate: 1e-2, minLearningRate: 1e-2, warmupSteps: 0, weightDecay: 0 },
      checkpointEvery: steps,
      logEvery: steps,
      engine: { intraOpThreads: 1 },
    },
    { write: () => undefined },
  );
  return { promptsFile, policyDir: result.finalDir };
}
