/**
 * The pluggable stages on an OpenAI-compatible endpoint: a multimodal describer (frames as PNG
 * `image_url` parts, a JSON representation back), a text-only writer (for example a reasoning
 * model served by vLLM) and a multimodal reviser. Each answer is checked; an unusable answer is a
 * RemoteModelError('bad-response') that the pipeline records against the sample.
 */
import { buildPrompt, extractAnswer, extractThink, toProblemType, type VideoSample } from '@vrft/data';
import { RemoteModelError } from '../errors.js';
import { frameAt, type FrameSet } from '../frame-source.js';
import { sampleIndices } from '../perception/perceive-clip.js';
import { type Describer, type Reviser, type Writer } from '../pipeline/stages.js';
import {
  formatRepresentation,
  parseRepresentation,
  REPRESENTATION_JSON_SHAPE,
  type ClipRepresentation,
} from '../representation.js';
import { extractClaims, splitSentences } from '../revise/claims.js';
import { type Revision } from '../revise/revise-draft.js';
import { type Draft } from '../writer/write-draft.js';
import { type ChatClient, type ChatContentPart, type ChatMessage } from './chat-client.js';
import { pngDataUrl } from './png.js';

/** Options shared by the remote stages. */
export interface RemoteStageOptions {
  /** Frames sent per request (evenly spread over the sampled ones). Default 8. */
  maxImages: number;
  /** Frames per second to sample before thinning to maxImages. Default 1 (method.md §2). */
  sampleFps: number;
}

/** Defaults of {@link RemoteStageOptions}. */
export const DEFAULT_REMOTE_STAGE_OPTIONS: Readonly<RemoteStageOptions> = { maxImages: 8, sampleFps: 1 };

/** Time-labelled image parts of up to `maxImages` frames. */
export function frameParts(frames: FrameSet, options: RemoteStageOptions): ChatContentPart[] {
  let indices = sampleIndices(frames, options.sampleFps);
  if (indices.length > options.maxImages) {
    const step = indices.length / options.maxImages;
    indices = Array.from({ length: options.maxImages }, (_, i) => indices[Math.floor(i * step)] ?? 0);
  }
  return indices.flatMap((index): ChatContentPart[] => [
    { type: 'text', text: `Frame at t=${(frames.times[index] ?? 0).toFixed(2)} s:` },
    { type: 'image_url', image_url: { url: pngDataUrl(frameAt(frames, index), frames.width, frames.height) } },
  ]);
}

/** The first JSON object in a model's answer (fenced or bare). */
export function parseJsonAnswer(text: string): unknown {
  const fenced = /```(?:json)?\s*([\s\S]*?)```/.exec(text);
  const body = fenced?.[1] ?? text;
  const start = body.indexOf('{');
  const end = body.lastIndexOf('}');
  if (start === -1 || end <= start) throw new RemoteModelError('bad-response', 'the answer holds no JSON object');
  try {
    return JSON.parse(body.slice(start, end + 1));
  } catch (cause) {
    throw new RemoteModelError('bad-response', "the answer's JSON does not parse", { cause });
  }
}

const DESCRIBE_SYSTEM = [
  'You describe short videos literally and precisely, frame by frame, for a later reasoning step that cannot see the video.',
  'For each frame you are shown, list every object with its colour, shape and approximate position (x, y as fractions of the frame, origin top left),',
  'give each distinct object an id and keep it for the same object in every frame, note its motion since the previous frame, transcribe visible text exactly,',
  'state spatial relations between objects, and list events (objects entering, leaving, touching, bouncing off an edge, changing colour).',
  'Mark anything you are not sure of with "uncertain": true and say why in "note". Never guess silently.',
  `Answer with one JSON object only, in this shape:\n${REPRESENTATION_JSON_SHAPE}`,
].join(' ');

/** A multimodal endpoint as the describer. */
export class RemoteDescriber implements Describer {
  readonly name: string;
  constructor(
    private readonly client: ChatClient,
    private readonly options: RemoteStageOptions = DEFAULT_REMOTE_STAGE_OPTIONS,
  ) {
    this.name = `openai:${client.settings.model}`;
  }

  /** Sends the frames, parses the JSON representation. */
  async describe(_sample: VideoSample, frames: FrameSet, signal?: AbortSignal): Promise<ClipRepresentation> {
    const messages: ChatMessage[] = [
      { role: 'system', content: DESCRIBE_SYSTEM },
      {
        role: 'user',
        content: [
          { type: 'text', text: `The clip lasts ${frames.durationSec.toFixed(2)} s.` },
          ...frameParts(frames, this.options),
        ],
      },
    ];
    const answer = await this.client.complete(messages, signal);
    try {
      return parseRepresentation(parseJsonAnswer(answer), {
        describer: this.name,
        durationSec: frames.durationSec,
        frameWidth: frames.width,
        frameHeight: frames.height,
      });
    } catch (cause) {
      if (cause instanceof RemoteModelError) throw cause;
      throw new RemoteModelError('bad-response', `the representation does not match its schema: ${String(cause)}`, {
        cause,
      });
    }
  }
}

const WRITE_SYSTEM = [
  'You answer questions about a video as if you had just watched it. You are given detailed observations of the video and a question.',
  'Think in five stages, in natural first-person prose: (1) browse the video from start to end, recalling what happens;',
  '(2) make sure you understand what the question asks; (3) pick out the moments that matter, with their times;',
  '(4) reason visually about those moments, step by step; (5) answer, then briefly verify the answer against what you saw.',
  'Never mention observations, notes, descriptions, frames lists or any text you were given: speak only of what you see in the video.',
  'Write the reasoning between <think> and </think>, then the final answer between <answer> and </answer>.',
].join(' ');

/** A chat endpoint (a reasoning model) as the writer. */
export class RemoteWriter implements Writer {
  readonly name: string;
  constructor(private readonly client: ChatClient) {
    this.name = `openai:${client.settings.model}`;
  }

  /** Sends the representation and the question; requires `<think>` and `<answer>` back. */
  async write(sample: VideoSample, rep: ClipRepresentation, signal?: AbortSignal): Promise<Draft> {
    const question = buildPrompt({
      question: sample.problem,
      problemType: toProblemType(sample.problem_type),
      options: sample.options ?? [],
    });
    const messages: ChatMessage[] = [
      { role: 'system', content: WRITE_SYSTEM },
      { role: 'user', content: `What you saw in the video:\n${formatRepresentation(rep)}\n\nQuestion:\n${question}` },
    ];
    const answer = await this.client.complete(messages, signal);
    const think = extractThink(answer);
    const final = extractAnswer(answer);
    if (think === undefined || think === '' || final === undefined || final === '') {
      throw new RemoteModelError('bad-response', 'the draft lacks a non-empty <think> or <answer> block');
    }
    return {
      text: `<think>${think}</think>\n<answer>${final}</answer>`,
      answer: final,
      intent: 'remote',
      writer: this.name,
    };
  }
}

const REVISE_SYSTEM = [
  'You check a chain of thought about a video against the video itself.',
  'List each visual claim it makes (objects, colours, shapes, positions, motion, text, counts, events) and judge it against the frames:',
  '"supported", "contradicted" or "unclear". Rewrite only the contradicted steps so they match what is visible; keep every other',
  'sentence, the order of the reasoning and the final answer unchanged, and never mention that the text was revised.',
  'Answer with one JSON object only: {"claims": [{"claim": "...", "verdict": "supported" | "contradicted" | "unclear", "fix": "corrected wording or empty"}],',
  '"revised": "the full revised reasoning, without tags"}',
].join(' ');

/** A multimodal endpoint as the reviser. */
export class RemoteReviser implements Reviser {
  readonly name: string;
  constructor(
    private readonly client: ChatClient,
    private readonly options: RemoteStageOptions = DEFAULT_REMOTE_STAGE_OPTIONS,
  ) {
    this.name = `openai:${client.settings.model}`;
  }

  /** Sends frames and draft; keeps the draft's final answer whatever comes back. */
  async revise(_sample: VideoSample, draft: Draft, frames: FrameSet, signal?: AbortSignal): Promise<Revision> {
    const think = extractThink(draft.text) ?? '';
    const messages: ChatMessage[] = [
      { role: 'system', content: REVISE_SYSTEM },
      {
        role: 'user',
        content: [
          ...frameParts(frames, this.options),
          { type: 'text', text: `Reasoning to check:\n${think}\n\nIts final answer (keep it): ${draft.answer}` },
        ],
      },
    ];
    const value = parseJsonAnswer(await this.client.complete(messages, signal)) as {
      claims?: unknown;
      revised?: unknown;
    };
    if (typeof value.revised !== 'string' || value.revised.trim() === '' || !Array.isArray(value.claims)) {
      throw new RemoteModelError('bad-response', 'the revision lacks "revised" text or a "claims" list');
    }
    const reviews = value.claims.map((c: unknown) => {
      const claim = (c ?? {}) as { claim?: unknown; verdict?: unknown; fix?: unknown };
      const verdict = claim.verdict === 'contradicted' || claim.verdict === 'unclear' ? claim.verdict : 'supported';
      return {
        claim: String(claim.claim ?? ''),
        verdict,
        ...(typeof claim.fix === 'string' && claim.fix.trim() !== '' ? { fix: claim.fix } : {}),
      } as Revision['reviews'][number];
    });
    const revisedThink = extractThink(value.revised) ?? value.revised.trim();
    const contradicted = reviews.filter((r) => r.verdict === 'contradicted').length;
    return {
      text: `<think>${revisedThink}</think>\n<answer>${draft.answer}</answer>`,
      // When the model lists no claims, count the checkable ones of the draft as checked.
      claimsChecked: reviews.length > 0 ? reviews.length : extractClaims(splitSentences(think)).length,
      claimsContradicted: contradicted,
      // A changed text with no contradiction listed still counts as one revision.
      claimsRevised: revisedThink === think ? 0 : Math.max(1, contradicted),
      reviews,
      reviser: this.name,
    };
  }
}
