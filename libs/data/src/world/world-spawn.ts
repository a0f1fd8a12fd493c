/**
 * The cast of a clip: identities (shape and colour, unique per object), sizes, speeds, and where
 * each object starts — inside the arena, or just outside an edge to enter later — and when it
 * leaves. All draws come from the simulation's RNG, in a fixed order.
 */
import { type ColourName, type ShapeName } from './palette.js';
import { type Rng } from './prng.js';
import { type EdgeName, type ObjectSpec } from './scene-graph.js';
import { type PixelRect } from './shape-raster.js';
import { type WorldOptions } from './world-options.js';

/** Where an object is in its life: not yet in, crossing in, bouncing inside, on its way out, gone. */
export type Phase = 'pending' | 'entering' | 'inside' | 'leaving' | 'gone';

/** The simulator's mutable state of one object. */
export interface Body {
  spec: ObjectSpec;
  r: number;
  x: number;
  y: number;
  vx: number;
  vy: number;
  phase: Phase;
  enterFrame: number;
  leaveFrame: number | undefined;
  entryEdge: EdgeName | undefined;
  colour: ColourName;
  changedColour: boolean;
  changesAtWall: boolean;
  everVisible: boolean;
  wasVisible: boolean;
}

const ENTRY_EDGES: readonly EdgeName[] = ['left', 'right', 'bottom'];

/** Draws identities (distinct colours while the palette lasts, distinct shape/colour pairs always), sizes, starts and exits. */
export function placeBodies(rng: Rng, options: WorldOptions, arena: PixelRect, frameCount: number): Body[] {
  const count = rng.int(options.minObjects, options.maxObjects);
  const identities = pickIdentities(rng, options, count);
  const bodies: Body[] = [];
  identities.forEach(([shape, colour], id) => {
    const size = Math.round(rng.range(options.minSize, options.maxSize) * 2) / 2;
    const r = size / 2;
    const speed = rng.range(options.minSpeed, options.maxSpeed);
    // Object 0 is always there from the start, so no clip opens on an empty arena.
    const enters = id > 0 && rng.chance(options.enterChance);
    const body: Body = {
      spec: { id, shape, size, colour },
      r,
      x: 0,
      y: 0,
      vx: 0,
      vy: 0,
      phase: enters ? 'pending' : 'inside',
      enterFrame: 0,
      leaveFrame: undefined,
      entryEdge: undefined,
      colour,
      changedColour: false,
      changesAtWall: false,
      everVisible: false,
      wasVisible: false,
    };
    if (enters) {
      body.enterFrame = rng.int(1, Math.max(1, Math.floor(frameCount * 0.6)));
      placeAtEdge(rng, body, arena, speed);
    } else {
      placeInside(rng, body, arena, bodies, speed);
    }
    if (rng.chance(options.leaveChance)) {
      const earliest = Math.max(body.enterFrame + 2, Math.floor(frameCount * 0.35));
      if (earliest <= frameCount - 2) body.leaveFrame = rng.int(earliest, frameCount - 2);
    }
    bodies.push(body);
  });
  return bodies;
}

function pickIdentities(rng: Rng, options: WorldOptions, count: number): [ShapeName, ColourName][] {
  if (count <= options.colours.length) {
    const colours = rng.shuffle(options.colours).slice(0, count);
    return colours.map((colour) => [rng.pick(options.shapes), colour]);
  }
  const pairs = options.shapes.flatMap((shape) =>
    options.colours.map((colour): [ShapeName, ColourName] => [shape, colour]),
  );
  return rng.shuffle(pairs).slice(0, count);
}

function placeInside(rng: Rng, body: Body, arena: PixelRect, others: readonly Body[], speed: number): void {
  const margin = body.r + 1;
  // Rejection sampling for a spot clear of the others; after a few tries, overlap is accepted
  // (the collision step separates the two).
  for (let tries = 0; tries < 50; tries += 1) {
    body.x = rng.range(arena.x0 + margin, arena.x1 - margin);
    body.y = rng.range(arena.y0 + margin, arena.y1 - margin);
    if (others.every((o) => o.phase === 'pending' || Math.hypot(o.x - body.x, o.y - body.y) > o.r + body.r + 2)) break;
  }
  const angle = rng.range(0, 2 * Math.PI);
  body.vx = speed * Math.cos(angle);
  body.vy = speed * Math.sin(angle);
}

function placeAtEdge(rng: Rng, body: Body, arena: PixelRect, speed: number): void {
  const edge = rng.pick(ENTRY_EDGES);
  body.entryEdge = edge;
  // Start just outside, away from the corners, heading inward within ±40° of the normal.
  const spread = rng.range(-0.7, 0.7);
  const alongX = () => rng.range(arena.x0 + 3 * body.r, arena.x1 - 3 * body.r);
  const alongY = () => rng.range(arena.y0 + 3 * body.r, arena.y1 - 3 * body.r);
  let inward: number;
  if (edge === 'left') {
    body.x = arena.x0 - body.r - 0.5;
    body.y = alongY();
    inward = 0;
  } else if (edge === 'right') {
    body.x = arena.x1 + body.r + 0.5;
    body.y = alongY();
    inward = Math.PI;
  } else {
    body.x = alongX();
    body.y = arena.y1 + body.r + 0.5;
    inward = -Math.PI / 2;
  }
  body.vx = speed * Math.cos(inward + spread);
  body.vy = speed * Math.sin(inward + spread);
}
