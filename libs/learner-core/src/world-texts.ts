/**
 * What the synthetic world says about its clips, for the base model: per clip its description
 * (caption) and its questions with direct answers, and the text corpus the tokenizer is trained
 * on. Clips are simulated from seeds (no files), so the base never needs a dataset directory.
 */
import {
  collectSceneFacts,
  DEFAULT_PROMPT_TEMPLATE,
  describeScene,
  generateClip,
  parseSyntheticOptions,
  renderScene,
  type SceneGraph,
  type SplitName,
  type SyntheticOptionsInput,
  type VideoSample,
  type WorldQuestion,
} from '@vrft/data';
import { CAPTION_PROMPT, PLAIN_PROMPT_TEMPLATE } from './prompts.js';

/** One simulated clip with its caption and questions. */
export interface WorldClipText {
  readonly clipSeed: number;
  readonly scene: SceneGraph;
  readonly caption: string;
  readonly questions: readonly WorldQuestion[];
}

/** Simulates clip `localSeed` of a split and describes it. */
export function describeWorldClip(
  split: SplitName,
  localSeed: number,
  synthetic: SyntheticOptionsInput,
): WorldClipText {
  const clip = generateClip(split, localSeed, parseSyntheticOptions(synthetic));
  return {
    clipSeed: clip.seed,
    scene: clip.scene,
    caption: describeScene(collectSceneFacts(clip.scene)),
    questions: clip.questions,
  };
}

/** Frames of a simulated clip as rendered (the bytes a video encoder would receive). */
export function renderWorldClip(clip: WorldClipText): {
  data: Uint8Array;
  shape: readonly [number, number, number, 3];
} {
  const frames = renderScene(clip.scene);
  return { data: frames.data, shape: frames.shape };
}

/** A question as the sample fields the prompt builders read. */
export function questionSample(question: WorldQuestion): Pick<VideoSample, 'problem' | 'problem_type' | 'options'> {
  return { problem: question.problem, problem_type: question.problemType, options: question.options };
}

/** Fixed prompt texts (instructions and answer hints) the tokenizer must know well. */
export function templateTexts(): string[] {
  const hints = Object.values(DEFAULT_PROMPT_TEMPLATE.answerHints);
  return [
    DEFAULT_PROMPT_TEMPLATE.instruction,
    DEFAULT_PROMPT_TEMPLATE.optionsHeader,
    PLAIN_PROMPT_TEMPLATE.instruction,
    CAPTION_PROMPT,
    ...hints,
  ];
}

/**
 * The tokenizer corpus of `clips` train clips from `firstSeed`: captions, questions, options and
 * answers, with the template texts repeated so their words become single tokens.
 */
export function* worldCorpus(clips: number, firstSeed: number, synthetic: SyntheticOptionsInput): Generator<string> {
  for (let i = 0; i < clips; i++) {
    const clip = describeWorldClip('train', firstSeed + i, synthetic);
    yield clip.caption;
    for (const q of clip.questions) {
      yield q.problem;
      for (const option of q.options) yield option;
      yield `<answer>${q.answer}</answer>`;
    }
    if (i % 10 === 0) yield* templateTexts();
  }
}
