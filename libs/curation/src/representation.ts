/**
 * The structured, literal representation of a clip (method.md §2 step 1): per sampled frame the
 * objects with colour, shape, approximate position and uncertainty marks, their motion, visible
 * text and spatial relations; plus clip-level events and a 1–2 sentence caption. Describers
 * produce it (the built-in perception pass, or a remote multimodal model whose JSON answer is
 * checked by {@link parseRepresentation}); writers read it and nothing else.
 */
import { z } from 'zod';

/** One object seen in one frame. Positions are fractions of the frame (x right, y down). */
export interface SeenObject {
  /** Track id: the same object keeps its id across frames. */
  id: number;
  colour: string;
  shape: string;
  /** Centre, fraction of frame width / height in [0, 1]. */
  x: number;
  y: number;
  /** Equivalent diameter, fraction of the frame width. */
  size: number;
  /** The describer is unsure of this object (small, partly hidden, ambiguous colour or shape). */
  uncertain: boolean;
  /** Why it is uncertain. */
  note?: string | undefined;
}

/** Text visible in a frame. */
export interface SeenText {
  /** `sign`: the sign at the top left; `counter`: the number at the top right. */
  role: 'sign' | 'counter' | 'other';
  text: string;
  uncertain: boolean;
}

/** Motion of an object since the previous sampled frame. */
export interface MotionNote {
  id: number;
  /** One of the eight compass directions ("up and to the left", …), or "still". */
  direction: string;
  /** Frame widths per second. */
  speed: number;
}

/** One sampled frame. */
export interface FrameDescription {
  /** Seconds from the start of the clip. */
  time: number;
  caption: string;
  objects: SeenObject[];
  texts: SeenText[];
  /** Literal relations such as "the red circle is left of the blue square". */
  relations: string[];
  motion: MotionNote[];
}

/** Kinds of clip events a describer reports. */
export const CLIP_EVENT_KINDS = ['enter', 'leave', 'colour-change', 'contact', 'bounce'] as const;

/** One of {@link CLIP_EVENT_KINDS}. */
export type ClipEventKind = (typeof CLIP_EVENT_KINDS)[number];

/** Something that happens between sampled frames. */
export interface ClipEvent {
  time: number;
  kind: ClipEventKind;
  /** Track ids involved. */
  objects: number[];
  /** Edge ("left"), new colour ("green"), … depending on the kind. */
  detail: string;
  uncertain: boolean;
}

/** The whole clip as a describer saw it. */
export interface ClipRepresentation {
  /** Which describer made it ("builtin-perception", "openai:MODEL"). */
  describer: string;
  durationSec: number;
  frameWidth: number;
  frameHeight: number;
  /** 1–2 sentences about the whole clip. */
  caption: string;
  frames: FrameDescription[];
  events: ClipEvent[];
}

const fraction = z.number().min(-0.5).max(1.5);

const seenObjectSchema = z.object({
  id: z.number().int().min(0),
  colour: z.string().min(1),
  shape: z.string().min(1),
  x: fraction,
  y: fraction,
  size: z.number().min(0).max(2).default(0.1),
  uncertain: z.boolean().default(false),
  note: z.string().optional(),
});

const frameSchema = z.object({
  time: z.number().min(0),
  caption: z.string().default(''),
  objects: z.array(seenObjectSchema).default([]),
  texts: z
    .array(
      z.object({
        role: z.enum(['sign', 'counter', 'other']).default('other'),
        text: z.string(),
        uncertain: z.boolean().default(false),
      }),
    )
    .default([]),
  relations: z.array(z.string()).default([]),
  motion: z
    .array(z.object({ id: z.number().int().min(0), direction: z.string(), speed: z.number().min(0).default(0) }))
    .default([]),
});

const representationSchema = z.object({
  caption: z.string().min(1),
  frames: z.array(frameSchema).min(1),
  events: z
    .array(
      z.object({
        time: z.number().min(0),
        kind: z.enum(CLIP_EVENT_KINDS),
        objects: z.array(z.number().int().min(0)).default([]),
        detail: z.string().default(''),
        uncertain: z.boolean().default(false),
      }),
    )
    .default([]),
});

/**
 * Checks a describer's JSON (already parsed) against the representation's schema and completes it
 * with what the caller knows about the clip; throws a zod error naming the bad path.
 */
export function parseRepresentation(
  value: unknown,
  clip: { describer: string; durationSec: number; frameWidth: number; frameHeight: number },
): ClipRepresentation {
  const parsed = representationSchema.parse(value);
  return {
    describer: clip.describer,
    durationSec: clip.durationSec,
    frameWidth: clip.frameWidth,
    frameHeight: clip.frameHeight,
    caption: parsed.caption,
    frames: parsed.frames.map((f) => ({
      ...f,
      objects: f.objects.map((o) => ({ ...o, note: o.note })),
    })),
    events: parsed.events,
  };
}

/** The JSON schema text the remote describer is asked to follow (kept beside the zod schema it must pass). */
export const REPRESENTATION_JSON_SHAPE = `{
  "caption": "1-2 sentences about the whole clip",
  "frames": [
    {
      "time": 0.0,
      "caption": "one sentence about this frame",
      "objects": [{"id": 0, "colour": "red", "shape": "circle", "x": 0.25, "y": 0.6, "size": 0.12, "uncertain": false, "note": "why unsure (optional)"}],
      "texts": [{"role": "sign" | "counter" | "other", "text": "EXIT 12", "uncertain": false}],
      "relations": ["the red circle is left of the blue square"],
      "motion": [{"id": 0, "direction": "up and to the left", "speed": 0.3}]
    }
  ],
  "events": [{"time": 1.25, "kind": "enter" | "leave" | "colour-change" | "contact" | "bounce", "objects": [0], "detail": "left", "uncertain": false}]
}`;

/** A plain-text rendering of a representation, for a text-only writer model's prompt. */
export function formatRepresentation(rep: ClipRepresentation): string {
  const lines = [`Clip: ${rep.durationSec.toFixed(2)} s. ${rep.caption}`];
  for (const frame of rep.frames) {
    lines.push(`t=${frame.time.toFixed(2)}s: ${frame.caption}`);
    for (const o of frame.objects) {
      const mark = o.uncertain ? ` (uncertain${o.note ? `: ${o.note}` : ''})` : '';
      lines.push(`  object #${o.id}: ${o.colour} ${o.shape} at x=${o.x.toFixed(2)}, y=${o.y.toFixed(2)}${mark}`);
    }
    for (const t of frame.texts) lines.push(`  ${t.role} text: "${t.text}"${t.uncertain ? ' (uncertain)' : ''}`);
    for (const m of frame.motion) lines.push(`  #${m.id} moving ${m.direction} at ${m.speed.toFixed(2)} widths/s`);
    for (const r of frame.relations) lines.push(`  ${r}`);
  }
  for (const e of rep.events) {
    const ids = e.objects.map((id) => `#${id}`).join(', ');
    lines.push(`event t=${e.time.toFixed(2)}s: ${e.kind} ${ids} ${e.detail}${e.uncertain ? ' (uncertain)' : ''}`);
  }
  return lines.join('\n');
}
