/** Arguments of `vrft train encoder`, parsed and checked; a bad one is a UsageError naming it. */
import { parseArgs } from 'node:util';
import { type TrainEncoderOptionsInput } from '@vrft/dual-encoder';

/** Usage text of the command. */
export const ENCODER_USAGE = `usage: vrft train encoder --out DIR [--steps N] [--batch B] [--clips N] [--frames-per-clip K]
                          [--eval-clips N] [--seed S] [--lr X] [--eval-every N] [--difficulty easy|medium|hard]

  train the SigLIP-style dual encoder for R_s on (frame, description) pairs of the synthetic world,
  export vision_model.onnx + text_model.onnx, and report held-out retrieval accuracy (tfjs and onnxruntime)

  --out DIR            encoder directory to write (the reward-model's VRFT_REWARD__ENCODER__DIR)
  --steps N            optimizer steps (default 400)
  --batch B            pairs per step, from B different clips (default 64)
  --clips N            training clips (default 800)
  --frames-per-clip K  pairs per training clip (default 4)
  --eval-clips N       held-out validation clips, one pair each (default 200)
`;

/** A bad command line. */
export class EncoderUsageError extends Error {
  override readonly name = 'EncoderUsageError';
}

/** The parsed command line. */
export interface EncoderArgs {
  readonly outDir: string;
  readonly options: TrainEncoderOptionsInput;
}

/** Parses the arguments after `train encoder`. */
export function parseEncoderArgs(args: readonly string[]): EncoderArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      options: {
        out: { type: 'string' },
        steps: { type: 'string' },
        batch: { type: 'string' },
        clips: { type: 'string' },
        'frames-per-clip': { type: 'string' },
        'eval-clips': { type: 'string' },
        seed: { type: 'string' },
        lr: { type: 'string' },
        'eval-every': { type: 'string' },
        difficulty: { type: 'string' },
      },
    });
  } catch (cause) {
    throw new EncoderUsageError(cause instanceof Error ? cause.message : String(cause), { cause });
  }
  const v = parsed.values;
  if (v.out === undefined || v.out === '') throw new EncoderUsageError('--out DIR is required');
  const number = (flag: string, value: string | undefined): number | undefined => {
    if (value === undefined) return undefined;
    const n = Number(value);
    if (!Number.isFinite(n)) throw new EncoderUsageError(`--${flag}: expected a number, got "${value}"`);
    return n;
  };
  const lr = number('lr', v.lr);
  return {
    outDir: v.out,
    options: {
      steps: number('steps', v.steps),
      batchSize: number('batch', v.batch),
      trainClips: number('clips', v.clips),
      framesPerClip: number('frames-per-clip', v['frames-per-clip']),
      evalClips: number('eval-clips', v['eval-clips']),
      seed: number('seed', v.seed),
      evalEvery: number('eval-every', v['eval-every']),
      ...(v.difficulty === undefined ? {} : { difficulty: v.difficulty as 'easy' | 'medium' | 'hard' }),
      ...(lr === undefined ? {} : { optimizer: { learningRate: lr } }),
    },
  };
}
