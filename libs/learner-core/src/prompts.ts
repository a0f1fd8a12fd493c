/**
 * The text around the model's inputs and targets. The video goes first as the single `<video>`
 * placeholder, then the prompt of @vrft/data's template. Evaluation, SFT and GRPO use the method's
 * reasoning prompt; the base model is pretrained on a plain prompt (answer directly, no reasoning)
 * and on captions, as a pretrained video-language model would be.
 */
import { buildPrompt, DEFAULT_PROMPT_TEMPLATE, toProblemType, type PromptTemplate, type VideoSample } from '@vrft/data';

/** The placeholder line before every prompt. */
export const VIDEO_PREFIX = '<video>\n';

/** The plain template: the same answer hints, but no request to reason. */
export const PLAIN_PROMPT_TEMPLATE: PromptTemplate = {
  ...DEFAULT_PROMPT_TEMPLATE,
  instruction: 'Answer the question about the video directly, between <answer> and </answer>.',
};

/** Base pretraining's restated examples: describe, repeat the question, answer (pretrain-stage.ts). */
export const RESTATE_PROMPT_TEMPLATE: PromptTemplate = {
  ...DEFAULT_PROMPT_TEMPLATE,
  instruction: 'Describe the video, repeat the question, then answer it between <answer> and </answer>.',
};

/** The caption request of base pretraining. */
export const CAPTION_PROMPT = 'Describe the video.';

/** What a prompt is built from (a Video-R1 sample fits). */
export type PromptSample = Pick<VideoSample, 'problem' | 'problem_type' | 'options'>;

/** The method's prompt for a sample (SFT, GRPO, evaluation), with the video placeholder. */
export function reasoningPrompt(sample: PromptSample): string {
  return `${VIDEO_PREFIX}${buildPrompt(toPromptProblem(sample))}`;
}

/** The base model's plain prompt for a sample, with the video placeholder. */
export function plainPrompt(sample: PromptSample): string {
  return `${VIDEO_PREFIX}${buildPrompt(toPromptProblem(sample), PLAIN_PROMPT_TEMPLATE)}`;
}

/** The base model's restate-then-answer prompt for a sample, with the video placeholder. */
export function restatePrompt(sample: PromptSample): string {
  return `${VIDEO_PREFIX}${buildPrompt(toPromptProblem(sample), RESTATE_PROMPT_TEMPLATE)}`;
}

/** The caption prompt, with the video placeholder. */
export function captionPrompt(): string {
  return `${VIDEO_PREFIX}${CAPTION_PROMPT}`;
}

function toPromptProblem(sample: PromptSample): {
  question: string;
  problemType: ReturnType<typeof toProblemType>;
  options: string[];
} {
  return {
    question: sample.problem,
    problemType: toProblemType(sample.problem_type),
    options: [...(sample.options ?? [])],
  };
}
