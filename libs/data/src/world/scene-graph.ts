/**
 * The scene graph: everything the simulation decided, per frame, as plain JSON. It is the single
 * source of truth — the renderer draws from it and every question's ground truth is computed
 * from it — so a saved scene reproduces its frames and answers exactly.
 */
import { type ColourName, type ShapeName } from './palette.js';
import { type PixelRect } from './shape-raster.js';

/** Version of the scene JSON layout. */
export const SCENE_GRAPH_VERSION = 1;

/** A side of the arena. */
export type EdgeName = 'left' | 'right' | 'top' | 'bottom';

/** What never changes about an object. */
export interface ObjectSpec {
  id: number;
  shape: ShapeName;
  /** Diameter (extent) in pixels; physics treats the object as a disk of radius size / 2. */
  size: number;
  /** Colour when it first appears. */
  colour: ColourName;
}

/** An object's state in one frame. Positions are pixel coordinates of the centre (x right, y down). */
export interface ObjectState {
  id: number;
  x: number;
  y: number;
  /** Velocity in pixels per second. */
  vx: number;
  vy: number;
  colour: ColourName;
  /** The object covers at least `minVisiblePixels` pixels of the arena in this frame. */
  visible: boolean;
}

/** Something that happened, stamped with the first frame that shows its result. */
export type WorldEvent =
  | { kind: 'enter'; frame: number; object: number; edge: EdgeName }
  | { kind: 'leave'; frame: number; object: number; edge: EdgeName }
  | { kind: 'bounce'; frame: number; object: number; edge: EdgeName }
  | { kind: 'collision'; frame: number; objects: [number, number] }
  | {
      kind: 'colour-change';
      frame: number;
      object: number;
      from: ColourName;
      to: ColourName;
      cause: { kind: 'collision'; with: number } | { kind: 'wall'; edge: EdgeName };
    }
  | { kind: 'sign-change'; frame: number; from: string; to: string };

/** The kinds of {@link WorldEvent}. */
export type WorldEventKind = WorldEvent['kind'];

/** One frame: the objects in the world (entered and not yet gone), the sign and the counter. */
export interface FrameScene {
  index: number;
  /** Seconds from the start, index / fps. */
  time: number;
  objects: ObjectState[];
  sign: string;
  /** Collisions so far. */
  counter: number;
}

/** Where the heads-up strip draws its text (pixels). */
export interface HudLayout {
  /** Height of the strip at the top of the frame; the arena starts below it. */
  height: number;
  /** Font scale (one font cell = scale × scale pixels). */
  scale: number;
  /** Top-left corner of the sign's first character. */
  signX: number;
  signY: number;
  /** Right edge (exclusive) of the counter's digits, which are right-aligned. */
  counterRight: number;
  counterY: number;
}

/** A whole clip's simulation. */
export interface SceneGraph {
  version: typeof SCENE_GRAPH_VERSION;
  seed: number;
  width: number;
  height: number;
  fps: number;
  frameCount: number;
  /** Where objects live: the frame below the HUD strip. */
  arena: PixelRect;
  hud: HudLayout;
  /** Pixels an object must cover to count as visible. */
  minVisiblePixels: number;
  objects: ObjectSpec[];
  frames: FrameScene[];
  /** All events in time order. */
  events: WorldEvent[];
}
