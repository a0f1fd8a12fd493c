/**
 * One running sequence of the batch (a completion being sampled): its random stream, stop
 * matching, the end conditions, and the text it has streamed so far. Text is streamed in
 * pieces that never need taking back: an unfinished UTF-8 character at the end is held until
 * it completes, and with stop sequences the last (longest stop − 1) characters are held because
 * they could begin a stop; the final piece then makes the streamed text equal the completion's.
 */
import { unsampledTokenIds, type ModelConfig } from '@vrft/model';
import { createSamplingRng, type SamplingRng } from '../sampling/rng.js';
import { maskUnsampledTokens, sampleFromProbs, sampleToken } from '../sampling/sampler.js';
import { type SamplingParams } from '../sampling/sampling-params.js';
import { StopMatcher, type DecodeText } from '../sampling/stop-matcher.js';
import { type Completion, type FinishReason } from './requests.js';

const REPLACEMENT = '\uFFFD';

/** New tokens of a sequence since the last report, with the text they complete. */
export interface SequenceDelta {
  readonly tokenIds: number[];
  readonly logprobs: number[];
  readonly text: string;
}

/** What a running sequence was admitted with. */
export interface SequenceSpec {
  /** The pool-wide id of the sequence. */
  readonly id: number;
  readonly promptLength: number;
  readonly sampling: SamplingParams;
  readonly seed: bigint;
  /** Report deltas (streaming); otherwise only the completion at the end. */
  readonly stream: boolean;
}

/** A sequence being sampled. */
export class Sequence {
  readonly tokens: number[] = [];
  readonly logprobs: number[] = [];
  finish: { reason: FinishReason; stop?: string; text?: string } | undefined;
  /** performance.now() of the last delta taken (streaming). */
  deltaAt = 0;
  private readonly rng: SamplingRng;
  private readonly stopMatcher: StopMatcher;
  private readonly holdBack: number;
  private reported = 0; // tokens already reported
  private streamedText = '';
  private pendingFrom = 0; // first token whose text is not streamed yet (no stop sequences)

  constructor(
    readonly spec: SequenceSpec,
    private readonly config: ModelConfig,
    private readonly decodeText: DecodeText,
  ) {
    this.rng = createSamplingRng(spec.seed);
    this.stopMatcher = new StopMatcher(spec.sampling.stop, decodeText);
    this.holdBack = Math.max(0, ...spec.sampling.stop.map((stop) => stop.length - 1));
  }

  /**
   * Samples the next token from `logits[offset…offset+V)` (or, when the decode graph gave them,
   * from `probs`, softmax(z/τ) of the same row) and decides whether the sequence ends.
   * `scratch` holds at least 2·V values.
   */
  advance(logits: Float32Array, offset: number, scratch: Float64Array, probs?: Float32Array): void {
    const unsampled = unsampledTokenIds(this.config);
    const vocab = this.config.vocabSize;
    maskUnsampledTokens(logits, offset, unsampled);
    let sampled;
    if (probs) {
      maskUnsampledTokens(probs, offset, unsampled, 0);
      sampled = sampleFromProbs(probs, logits, offset, vocab, this.spec.sampling, this.rng, scratch);
    } else {
      sampled = sampleToken(logits, offset, vocab, this.spec.sampling, this.rng, scratch);
    }
    const { token, logprob } = sampled;
    this.tokens.push(token);
    this.logprobs.push(logprob);
    if (token === this.config.specialTokens.eos) {
      this.finish = { reason: 'eos' };
      return;
    }
    const match = this.stopMatcher.check(this.tokens);
    if (match) {
      this.finish = { reason: 'stop', stop: match.stop, text: match.text };
      return;
    }
    // The last token must still have a position inside the context to be fed back.
    if (
      this.tokens.length >= this.spec.sampling.maxNewTokens ||
      this.spec.promptLength + this.tokens.length >= this.config.contextLength
    ) {
      this.finish = { reason: 'length' };
    }
  }

  /** The token to feed back in the next decode step, its position and the sampling temperature. */
  get nextInput(): { token: number; position: number; temperature: number } {
    return {
      token: this.tokens[this.tokens.length - 1] as number,
      position: this.spec.promptLength + this.tokens.length - 1,
      temperature: this.spec.sampling.temperature,
    };
  }

  /** Tokens and text since the last call (streaming); undefined when there is nothing new. */
  takeDelta(now = performance.now()): SequenceDelta | undefined {
    if (this.reported === this.tokens.length) return undefined;
    this.deltaAt = now;
    const tokenIds = this.tokens.slice(this.reported);
    const logprobs = this.logprobs.slice(this.reported);
    this.reported = this.tokens.length;
    const text = this.finish ? this.finalText().slice(this.streamedText.length) : this.safeText();
    this.streamedText += text;
    return { tokenIds, logprobs, text };
  }

  /** The finished completion. */
  toCompletion(): Completion {
    const finish = this.finish ?? { reason: 'length' as const };
    return {
      tokenIds: this.tokens,
      logprobs: this.logprobs,
      text: this.finalText(),
      finishReason: finish.reason,
      ...(finish.stop === undefined ? {} : { stop: finish.stop }),
      seed: this.spec.seed,
    };
  }

  private finalText(): string {
    if (this.finish?.text !== undefined) return this.finish.text;
    const ids = this.finish?.reason === 'eos' ? this.tokens.slice(0, -1) : this.tokens;
    return this.decodeText(ids);
  }

  /** New text that no later token can change. */
  private safeText(): string {
    if (this.holdBack > 0 || this.stopMatcher.active) {
      const text = trimUnfinished(this.decodeText(this.tokens));
      const upTo = Math.max(this.streamedText.length, text.length - this.holdBack);
      return text.slice(this.streamedText.length, upTo);
    }
    // Without stops, decode only the tokens not streamed yet: linear, not quadratic, in length.
    const piece = this.decodeText(this.tokens.slice(this.pendingFrom));
    if (piece.endsWith(REPLACEMENT)) return '';
    this.pendingFrom = this.tokens.length;
    return piece;
  }
}

function trimUnfinished(text: string): string {
  let end = text.length;
  while (end > 0 && text[end - 1] === REPLACEMENT) end -= 1;
  return text.slice(0, end);
}
