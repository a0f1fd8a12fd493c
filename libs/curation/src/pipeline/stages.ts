/**
 * The three model stages as small interfaces, each with a built-in implementation (pure code over
 * pixels and text) and a remote one (an OpenAI-compatible endpoint, see remote/remote-stages.ts).
 */
import { type VideoSample } from '@vrft/data';
import { type FrameSet } from '../frame-source.js';
import { DEFAULT_PERCEPTION_OPTIONS, perceiveClip, type PerceptionOptions } from '../perception/perceive-clip.js';
import { type ClipRepresentation } from '../representation.js';
import { DEFAULT_CHECK_OPTIONS, type ClaimCheckOptions } from '../revise/check-claims.js';
import { reviseDraft, type Revision } from '../revise/revise-draft.js';
import { DEFAULT_WRITER_OPTIONS, writeDraft, type BuiltinWriterOptions, type Draft } from '../writer/write-draft.js';

/** Stage 1: frames → structured representation. */
export interface Describer {
  readonly name: string;
  describe(sample: VideoSample, frames: FrameSet, signal?: AbortSignal): Promise<ClipRepresentation>;
}

/** Stage 2: representation + question → CoT draft (text only: the writer never sees frames). */
export interface Writer {
  readonly name: string;
  write(sample: VideoSample, rep: ClipRepresentation, signal?: AbortSignal): Promise<Draft>;
}

/** Stage 3: draft + real frames → revised CoT, same final answer. */
export interface Reviser {
  readonly name: string;
  revise(sample: VideoSample, draft: Draft, frames: FrameSet, signal?: AbortSignal): Promise<Revision>;
}

/** The perception pass as a describer. */
export class BuiltinDescriber implements Describer {
  readonly name = 'builtin';
  constructor(private readonly options: PerceptionOptions = DEFAULT_PERCEPTION_OPTIONS) {}

  /** See {@link perceiveClip}. */
  describe(_sample: VideoSample, frames: FrameSet): Promise<ClipRepresentation> {
    return Promise.resolve(perceiveClip(frames, this.options));
  }
}

/** The deterministic five-stage writer. */
export class BuiltinWriter implements Writer {
  readonly name = 'builtin';
  constructor(private readonly options: BuiltinWriterOptions = DEFAULT_WRITER_OPTIONS) {}

  /** See {@link writeDraft}. */
  write(sample: VideoSample, rep: ClipRepresentation): Promise<Draft> {
    return Promise.resolve(writeDraft(sample, rep, this.options));
  }
}

/** The claim checker over pixels as a reviser. */
export class BuiltinReviser implements Reviser {
  readonly name = 'builtin';
  constructor(private readonly options: ClaimCheckOptions = DEFAULT_CHECK_OPTIONS) {}

  /** See {@link reviseDraft}. */
  revise(_sample: VideoSample, draft: Draft, frames: FrameSet): Promise<Revision> {
    return Promise.resolve(reviseDraft(draft.text, frames, this.options));
  }
}
