/**
 * Held-out answer accuracy: greedy completions of the method's prompt by the onnxruntime engine
 * (or sampled ones, to measure what GRPO optimises: the expected R_a of its rollouts),
 * scored like the method's evaluation (method.md §6): R_a of the text inside `<answer>`, or of the
 * raw output when no tag is present, per problem type and overall; plus the share of well-formed
 * completions (R_f).
 */
import { toProblemType, type VideoSample } from '@vrft/data';
import { type OrtEngine } from '@vrft/engine-ort';
import { buildInputSequence, visualTokensPerClip } from '@vrft/model';
import { checkFormat, extractAnswer, scoreAnswer } from '@vrft/rewards';
import { type ClipFrameLoader } from './clip-frames.js';
import { reasoningPrompt } from './prompts.js';
import { requireInteger, requireNumber } from './stage-options.js';

/** Options of evaluateAccuracy. */
export interface EvaluateOptions {
  /** Completion length limit. Default 256. */
  readonly maxNewTokens: number;
  /** Prompts per engine call. Default 16. */
  readonly batchSize: number;
  /** Builds the prompt text of a sample. Default: the method's reasoning prompt. */
  readonly prompt?: (sample: VideoSample) => string;
  /** Called after each batch with the samples done so far. */
  readonly onProgress?: (done: number, total: number) => void;
  /** Called with every scored completion, in sample order (to keep them all, as a log). */
  readonly onCompletion?: (record: ScoredCompletion) => void;
  /** Sample instead of greedy decoding; absent: greedy. */
  readonly sampling?: EvaluationSampling;
}

/**
 * Sampled evaluation: one completion per sample at τ and top-p. Sample i draws from the seed
 * `seed + i`, so a score does not depend on the batch size and reruns give the same completions.
 */
export interface EvaluationSampling {
  readonly temperature: number;
  readonly topP: number;
  readonly seed: number;
}

/** Throws TrainingOptionsError naming `field`.<name> unless τ is in (0, 10], top-p in (0, 1], the seed in [0, 2³¹). */
export function checkEvaluationSampling(sampling: EvaluationSampling, field = 'sampling'): EvaluationSampling {
  requireNumber(`${field}.temperature`, sampling.temperature, 1e-6, 10);
  requireNumber(`${field}.topP`, sampling.topP, 1e-6, 1);
  requireInteger(`${field}.seed`, sampling.seed, 0, 0x7fffffff);
  return sampling;
}

/** One sample's completion and how it scored. */
export interface ScoredCompletion {
  readonly problemId: string;
  readonly problemType: string;
  readonly problem: string;
  readonly solution: string;
  readonly output: string;
  /** The text that was scored: inside `<answer>`, or the whole output without one. */
  readonly answer: string;
  /** R_a in [0, 1]. */
  readonly accuracy: number;
  /** R_f: 1 when the output is `<think>…</think><answer>…</answer>`. */
  readonly format: number;
  readonly completionTokens: number;
}

/** Defaults of EvaluateOptions. */
export const DEFAULT_EVALUATE_OPTIONS: EvaluateOptions = { maxNewTokens: 256, batchSize: 16 };

/** What an evaluation measured. */
export interface AccuracyReport {
  /** Samples scored. */
  readonly samples: number;
  /** Mean R_a over all samples, in [0, 1]. */
  readonly accuracy: number;
  /** Mean R_a per problem type (types without samples are absent). */
  readonly byProblemType: Readonly<Record<string, { readonly samples: number; readonly accuracy: number }>>;
  /** Share of completions with the `<think>…</think><answer>…</answer>` format. */
  readonly formatRate: number;
  /** Mean completion length in tokens. */
  readonly meanCompletionTokens: number;
  /** The first few completions, for reading. */
  readonly examples: readonly { readonly problem: string; readonly solution: string; readonly output: string }[];
}

/** Evaluates an engine's greedy (or sampled) answers on samples whose frames the loader provides. */
export async function evaluateAccuracy(
  engine: OrtEngine,
  samples: readonly VideoSample[],
  frames: ClipFrameLoader,
  options: Partial<EvaluateOptions> = {},
): Promise<AccuracyReport> {
  const { maxNewTokens, batchSize, prompt, onProgress, onCompletion, sampling } = {
    ...DEFAULT_EVALUATE_OPTIONS,
    ...options,
  };
  if (sampling !== undefined) checkEvaluationSampling(sampling);
  const toPrompt = prompt ?? reasoningPrompt;
  const config = engine.config;
  const sums = new Map<string, { samples: number; total: number }>();
  let accuracySum = 0;
  let formatSum = 0;
  let tokenSum = 0;
  const examples: { problem: string; solution: string; output: string }[] = [];
  for (let start = 0; start < samples.length; start += batchSize) {
    const batch = samples.slice(start, start + batchSize);
    const requests = await Promise.all(
      batch.map(async (sample, i) => ({
        promptIds: buildInputSequence(engine.tokenizer, toPrompt(sample), visualTokensPerClip(config)).tokenIds,
        video: { frames: await frames.load(sample.path), frameCount: config.frames },
        sampling:
          sampling === undefined
            ? { temperature: 0, maxNewTokens }
            : { temperature: sampling.temperature, topP: sampling.topP, seed: sampling.seed + start + i, maxNewTokens },
      })),
    );
    const { results } = await engine.generate(requests);
    results.forEach((result, i) => {
      const sample = batch[i] as VideoSample;
      const completion = result.completions[0];
      const text = completion?.text ?? '';
      const answer = extractAnswer(text) ?? text.trim();
      const score = scoreAnswer(toProblemType(sample.problem_type), answer, sample.solution).value;
      const format = checkFormat(text).value;
      const completionTokens = completion?.tokenIds.length ?? 0;
      accuracySum += score;
      formatSum += format;
      tokenSum += completionTokens;
      onCompletion?.({
        problemId: String(sample.problem_id),
        problemType: sample.problem_type,
        problem: sample.problem,
        solution: sample.solution,
        output: text,
        answer,
        accuracy: score,
        format,
        completionTokens,
      });
      const entry = sums.get(sample.problem_type) ?? { samples: 0, total: 0 };
      entry.samples += 1;
      entry.total += score;
      sums.set(sample.problem_type, entry);
      if (examples.length < 4) examples.push({ problem: sample.problem, solution: sample.solution, output: text });
    });
    onProgress?.(Math.min(samples.length, start + batchSize), samples.length);
  }
  const n = Math.max(1, samples.length);
  const byProblemType: Record<string, { samples: number; accuracy: number }> = {};
  for (const [type, { samples: count, total }] of sums)
    byProblemType[type] = { samples: count, accuracy: total / count };
  return {
    samples: samples.length,
    accuracy: accuracySum / n,
    byProblemType,
    formatRate: formatSum / n,
    meanCompletionTokens: tokenSum / n,
    examples,
  };
}
