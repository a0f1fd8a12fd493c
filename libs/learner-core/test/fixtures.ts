/** Micro fixtures: a dataset of a few synthetic clips, a small tokenizer and a micro model checkpoint. */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateDataset } from '@vrft/data';
import { trainTokenizerStage } from '@vrft/learner-core';
import {
  MICRO_VIDEO_MODEL_SIZES,
  createModelConfig,
  initWeights,
  saveCheckpoint,
  type ModelPresetSizes,
} from '@vrft/model';

/** Micro sizes: 2 frames of 64×64 → 8 visual tokens, one LM block of width 32. */
export const MICRO_MODEL: Partial<ModelPresetSizes> = { ...MICRO_VIDEO_MODEL_SIZES, contextLength: 1024 };

/** Paths of a micro training set-up. */
export interface MicroSetup {
  readonly root: string;
  readonly dataDir: string;
  readonly tokenizerPath: string;
  /** A servable checkpoint of a freshly initialised micro model. */
  readonly initDir: string;
}

/** Writes a dataset of `clips` train clips (scenes only), a tokenizer and an init checkpoint. */
export async function createMicroSetup(clips = 4): Promise<MicroSetup> {
  const root = await mkdtemp(join(tmpdir(), 'vrft-learner-'));
  const dataDir = join(root, 'data');
  await generateDataset({ outDir: dataDir, count: clips, seed: 0, split: 'train', encode: false });
  const tokenizerPath = join(root, 'tokenizer.json');
  const { tokenizer } = await trainTokenizerStage({ outPath: tokenizerPath, clips: 20, vocabSize: 400 });
  const config = createModelConfig('tiny', tokenizer, MICRO_MODEL);
  const initDir = join(root, 'init');
  await saveCheckpoint(initDir, { config, tokenizer, weights: initWeights(config, 3) });
  return { root, dataDir, tokenizerPath, initDir };
}
