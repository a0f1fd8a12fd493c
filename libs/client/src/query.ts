/**
 * What a caller asks (plain TypeScript values) and what comes back, with the conversions to and
 * from the ReasoningService messages.
 */
import { type MessageInitShape } from '@bufbuild/protobuf';
import {
  FinishReason,
  type GenerationResult,
  ProblemType,
  type ReasoningQuerySchema,
  type VideoInput,
} from '@vrft/proto';
import { ClientOptionsError } from './errors.js';

/** Where a question's video comes from. */
export type VideoRef =
  /** A local file: sent inline when small, uploaded in chunks otherwise. */
  | { readonly path: string }
  /** Bytes in memory: inline when small, uploaded otherwise. */
  | { readonly bytes: Uint8Array }
  /** A file the server reads itself (file:///… or a path under its allowed roots). */
  | { readonly serverUri: string }
  /** A clip uploaded before (ReasoningClient.upload). */
  | { readonly uploadId: string };

/** Problem types by the dataset's names. */
export type ProblemTypeName = 'multiple choice' | 'numerical' | 'OCR' | 'free-form' | 'regression';

const PROBLEM_TYPES: Record<ProblemTypeName, ProblemType> = {
  'multiple choice': ProblemType.MULTIPLE_CHOICE,
  numerical: ProblemType.NUMERICAL,
  OCR: ProblemType.OCR,
  'free-form': ProblemType.FREE_FORM,
  regression: ProblemType.REGRESSION,
};

/** Sampling of the answer; unset fields take the server's defaults. */
export interface Sampling {
  readonly temperature?: number;
  readonly topP?: number;
  readonly topK?: number;
  readonly maxNewTokens?: number;
  /** Same seed, weights and input: same answer. */
  readonly seed?: number | bigint;
  readonly stop?: readonly string[];
}

/** A question about a video. */
export interface Question {
  readonly question: string;
  /** Default 'free-form'. */
  readonly problemType?: ProblemTypeName;
  /** Options such as "A. a red cube" (multiple choice). */
  readonly options?: readonly string[];
  readonly video?: VideoRef;
  /** Frames sampled from the video (0 or unset: the model's default). */
  readonly frames?: number;
  readonly sampling?: Sampling;
  /** Return the completion's token ids and log-probs. */
  readonly includeLogprobs?: boolean;
}

/** A finished answer. */
export interface Answer {
  /** The whole completion. */
  readonly text: string;
  /** Inside <think>…</think> ('' when absent). */
  readonly think: string;
  /** Inside <answer>…</answer>, or the trimmed text when the tag is absent. */
  readonly answer: string;
  readonly finishReason: 'eos' | 'length' | 'stop' | 'cancelled' | 'unspecified';
  readonly usage: { readonly promptTokens: number; readonly videoTokens: number; readonly completionTokens: number };
  /** The weights that answered: run id and version. */
  readonly modelVersion: { readonly runId: string; readonly version: bigint };
  /** With includeLogprobs. */
  readonly tokenIds?: readonly number[];
  readonly logprobs?: readonly number[];
}

/** What a streamed answer reports: text as it is sampled, then the answer. */
export type AnswerEvent =
  | {
      readonly type: 'delta';
      readonly text: string;
      readonly tokenIds: readonly number[];
      readonly logprobs: readonly number[];
    }
  | { readonly type: 'answer'; readonly answer: Answer };

const FINISH: Record<FinishReason, Answer['finishReason']> = {
  [FinishReason.UNSPECIFIED]: 'unspecified',
  [FinishReason.EOS]: 'eos',
  [FinishReason.LENGTH]: 'length',
  [FinishReason.STOP_SEQUENCE]: 'stop',
  [FinishReason.CANCELLED]: 'cancelled',
};

/** The query message, with the video already turned into a VideoInput source. */
export function toQueryMessage(
  question: Question,
  video: VideoInput['source'] | undefined,
): MessageInitShape<typeof ReasoningQuerySchema> {
  const problemType = PROBLEM_TYPES[question.problemType ?? 'free-form'];
  if (problemType === undefined) {
    throw new ClientOptionsError('problemType', `expected one of ${Object.keys(PROBLEM_TYPES).join(', ')}`);
  }
  const s = question.sampling ?? {};
  return {
    question: question.question,
    problemType,
    options: [...(question.options ?? [])],
    includeLogprobs: question.includeLogprobs ?? false,
    sampling: {
      stop: [...(s.stop ?? [])],
      ...(s.temperature === undefined ? {} : { temperature: s.temperature }),
      ...(s.topP === undefined ? {} : { topP: s.topP }),
      ...(s.topK === undefined ? {} : { topK: s.topK }),
      ...(s.maxNewTokens === undefined ? {} : { maxNewTokens: s.maxNewTokens }),
      ...(s.seed === undefined ? {} : { seed: BigInt(s.seed) }),
    },
    ...(video ? { video: { source: video, sampling: { numFrames: question.frames ?? 0 } } } : {}),
  };
}

/** The Answer of a GenerationResult. */
export function toAnswer(result: GenerationResult | undefined): Answer {
  return {
    text: result?.text ?? '',
    think: result?.think ?? '',
    answer: result?.answer ?? '',
    finishReason: FINISH[result?.finishReason ?? FinishReason.UNSPECIFIED] ?? 'unspecified',
    usage: {
      promptTokens: result?.usage?.promptTokens ?? 0,
      videoTokens: result?.usage?.videoTokens ?? 0,
      completionTokens: result?.usage?.completionTokens ?? 0,
    },
    modelVersion: { runId: result?.modelVersion?.runId ?? '', version: result?.modelVersion?.version ?? 0n },
    ...(result?.completion ? { tokenIds: result.completion.tokenIds, logprobs: result.completion.logprobs } : {}),
  };
}
