/**
 * The world's physics: disks that move in straight lines, bounce off the arena walls, collide
 * elastically, enter from an edge, leave through one, and change colour at events. Each frame is
 * recorded into the scene graph (positions rounded to 0.01 px), and visibility is decided from
 * the recorded positions with the renderer's own pixel coverage, so metadata and pixels agree.
 *
 * Collision (disks i, j with masses m = r², unit normal n from i to j, closing speed
 * u = (v_i − v_j)·n > 0):  v_i ← v_i − 2 m_j / (m_i + m_j) · u · n,  v_j ← v_j + 2 m_i / (m_i + m_j) · u · n.
 */
import { DataOptionsError } from '../errors.js';
import { planHud } from './hud-layout.js';
import { type ColourName } from './palette.js';
import { createRng, type Rng } from './prng.js';
import {
  SCENE_GRAPH_VERSION,
  type EdgeName,
  type FrameScene,
  type SceneGraph,
  type WorldEvent,
} from './scene-graph.js';
import { countShapePixels, type PixelRect } from './shape-raster.js';
import { type WorldOptions } from './world-options.js';
import { placeBodies, type Body } from './world-spawn.js';

/** RNG stream of the simulation (the question writer uses another). */
export const SIMULATION_STREAM = 1;

const ALL_EDGES: readonly EdgeName[] = ['left', 'right', 'top', 'bottom'];

/** Simulates one clip from its seed. Same seed and options → the same scene graph, bit for bit. */
export function simulateWorld(seed: number, options: WorldOptions): SceneGraph {
  const hud = planHud(options.width, options.height);
  if (hud === undefined) throw new DataOptionsError('world.width', 'the frame cannot hold the sign and the counter');
  const rng = createRng(seed, SIMULATION_STREAM);
  const arena: PixelRect = { x0: 0, y0: hud.height, x1: options.width, y1: options.height };
  const frameCount = Math.max(2, Math.round(rng.range(options.minDurationSec, options.maxDurationSec) * options.fps));
  const bodies = placeBodies(rng, options, arena, frameCount);
  if (bodies.length > 0 && rng.chance(options.wallColourChance)) rng.pick(bodies).changesAtWall = true;

  const signs = [makeSignText(rng, options)];
  let signChangeFrame = -1;
  if (rng.chance(options.signChangeChance)) {
    signChangeFrame = rng.int(
      Math.ceil(frameCount / 3),
      Math.max(Math.ceil(frameCount / 3), Math.floor((2 * frameCount) / 3)),
    );
    let next = makeSignText(rng, options);
    for (let tries = 0; next === signs[0] && tries < 10; tries += 1) next = makeSignText(rng, options);
    if (next !== signs[0]) signs.push(next);
  }

  const events: WorldEvent[] = [];
  const frames: FrameScene[] = [];
  const world = { rng, options, arena, bodies, events, counter: 0 };
  let sign = signs[0] ?? '';
  const h = 1 / (options.fps * options.substeps);
  for (let f = 0; f < frameCount; f += 1) {
    if (f > 0) for (let s = 0; s < options.substeps; s += 1) advance(world, h, f);
    for (const body of bodies) {
      if (body.phase === 'pending' && body.enterFrame === f) body.phase = 'entering';
      if (body.leaveFrame === f && (body.phase === 'inside' || body.phase === 'entering')) body.phase = 'leaving';
    }
    const nextSign = signs[1];
    if (f === signChangeFrame && nextSign !== undefined) {
      events.push({ kind: 'sign-change', frame: f, from: sign, to: nextSign });
      sign = nextSign;
    }
    frames.push(recordFrame(world, f, sign));
  }
  return {
    version: SCENE_GRAPH_VERSION,
    seed,
    width: options.width,
    height: options.height,
    fps: options.fps,
    frameCount,
    arena,
    hud,
    minVisiblePixels: options.minVisiblePixels,
    objects: bodies.map((b) => b.spec),
    frames,
    events,
  };
}

function makeSignText(rng: Rng, options: WorldOptions): string {
  return `${rng.pick(options.signWords)} ${rng.int(1, 99)}`;
}

interface WorldState {
  rng: Rng;
  options: WorldOptions;
  arena: PixelRect;
  bodies: Body[];
  events: WorldEvent[];
  counter: number;
}

function isMoving(body: Body): boolean {
  return body.phase === 'entering' || body.phase === 'inside' || body.phase === 'leaving';
}

/** One physics substep of length h seconds; events are stamped with `frame`. */
function advance(world: WorldState, h: number, frame: number): void {
  const { arena, bodies } = world;
  for (const body of bodies) {
    if (!isMoving(body)) continue;
    body.x += body.vx * h;
    body.y += body.vy * h;
    if (body.phase === 'entering' && isFullyInside(body, arena)) body.phase = 'inside';
    if (body.phase === 'leaving') continue;
    for (const edge of ALL_EDGES) {
      // An entering object crosses its entry edge; every other wall bounces it.
      if (body.phase === 'entering' && edge === body.entryEdge) continue;
      if (reflectAtWall(body, edge, arena)) {
        world.events.push({ kind: 'bounce', frame, object: body.spec.id, edge });
        if (body.changesAtWall && !body.changedColour) {
          changeColour(world, body, frame, { kind: 'wall', edge });
        }
      }
    }
  }
  for (let i = 0; i < bodies.length; i += 1) {
    const a = bodies[i];
    if (a === undefined || a.phase !== 'inside') continue;
    for (let j = i + 1; j < bodies.length; j += 1) {
      const b = bodies[j];
      if (b === undefined || b.phase !== 'inside') continue;
      if (collide(a, b)) resolveCollisionEvent(world, a, b, frame);
    }
  }
}

function isFullyInside(body: Body, arena: PixelRect): boolean {
  return (
    body.x - body.r >= arena.x0 &&
    body.x + body.r <= arena.x1 &&
    body.y - body.r >= arena.y0 &&
    body.y + body.r <= arena.y1
  );
}

/** Mirrors the body back inside when it crossed `edge` while moving outward; true when it bounced. */
function reflectAtWall(body: Body, edge: EdgeName, arena: PixelRect): boolean {
  const { r } = body;
  if (edge === 'left' && body.x - r < arena.x0 && body.vx < 0) {
    body.x = 2 * (arena.x0 + r) - body.x;
    body.vx = -body.vx;
  } else if (edge === 'right' && body.x + r > arena.x1 && body.vx > 0) {
    body.x = 2 * (arena.x1 - r) - body.x;
    body.vx = -body.vx;
  } else if (edge === 'top' && body.y - r < arena.y0 && body.vy < 0) {
    body.y = 2 * (arena.y0 + r) - body.y;
    body.vy = -body.vy;
  } else if (edge === 'bottom' && body.y + r > arena.y1 && body.vy > 0) {
    body.y = 2 * (arena.y1 - r) - body.y;
    body.vy = -body.vy;
  } else {
    return false;
  }
  return true;
}

/** Elastic collision of two disks (equation in the file header); true when they were closing in contact. */
function collide(a: Body, b: Body): boolean {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const distance = Math.hypot(dx, dy);
  const reach = a.r + b.r;
  if (distance >= reach || distance === 0) return false;
  const nx = dx / distance;
  const ny = dy / distance;
  const closing = (a.vx - b.vx) * nx + (a.vy - b.vy) * ny;
  if (closing <= 0) return false;
  const ma = a.r * a.r;
  const mb = b.r * b.r;
  const ka = ((2 * mb) / (ma + mb)) * closing;
  const kb = ((2 * ma) / (ma + mb)) * closing;
  a.vx -= ka * nx;
  a.vy -= ka * ny;
  b.vx += kb * nx;
  b.vy += kb * ny;
  // Separate the overlap, half each, so the pair does not stay stuck together.
  const push = (reach - distance) / 2;
  a.x -= push * nx;
  a.y -= push * ny;
  b.x += push * nx;
  b.y += push * ny;
  return true;
}

function resolveCollisionEvent(world: WorldState, a: Body, b: Body, frame: number): void {
  world.events.push({ kind: 'collision', frame, objects: [a.spec.id, b.spec.id] });
  world.counter += 1;
  if (!world.rng.chance(world.options.collisionColourChance)) return;
  const candidates = [a, b].filter((body) => !body.changedColour);
  if (candidates.length === 0) return;
  const target = world.rng.pick(candidates);
  const other = target === a ? b : a;
  changeColour(world, target, frame, { kind: 'collision', with: other.spec.id });
}

/**
 * Gives `body` a colour no object has had (while the palette lasts), else one no object of its
 * shape has had, so every object stays nameable by colour and shape at every moment.
 */
function changeColour(
  world: WorldState,
  body: Body,
  frame: number,
  cause: { kind: 'collision'; with: number } | { kind: 'wall'; edge: EdgeName },
): void {
  const used = new Set<ColourName>();
  const usedBySameShape = new Set<ColourName>();
  for (const other of world.bodies) {
    for (const colour of [other.spec.colour, other.colour]) {
      used.add(colour);
      if (other.spec.shape === body.spec.shape) usedBySameShape.add(colour);
    }
  }
  let candidates = world.options.colours.filter((c) => !used.has(c));
  if (candidates.length === 0) candidates = world.options.colours.filter((c) => !usedBySameShape.has(c));
  if (candidates.length === 0) return;
  const to = world.rng.pick(candidates);
  world.events.push({ kind: 'colour-change', frame, object: body.spec.id, from: body.colour, to, cause });
  body.colour = to;
  body.changedColour = true;
}

const round2 = (value: number): number => Math.round(value * 100) / 100;

function recordFrame(world: WorldState, frame: number, sign: string): FrameScene {
  const { arena, bodies, options } = world;
  const scene: FrameScene = {
    index: frame,
    time: Math.round((frame / options.fps) * 10_000) / 10_000,
    objects: [],
    sign,
    counter: world.counter,
  };
  for (const body of bodies) {
    if (!isMoving(body)) continue;
    const x = round2(body.x);
    const y = round2(body.y);
    const visible = countShapePixels(body.spec.shape, x, y, body.r, arena) >= options.minVisiblePixels;
    if (visible && !body.everVisible && frame > 0) {
      world.events.push({
        kind: 'enter',
        frame,
        object: body.spec.id,
        edge: body.entryEdge ?? nearestEdge(body, arena),
      });
    }
    if (!visible && body.wasVisible && body.phase === 'leaving') {
      world.events.push({ kind: 'leave', frame, object: body.spec.id, edge: nearestEdge(body, arena) });
    }
    body.everVisible ||= visible;
    body.wasVisible = visible;
    scene.objects.push({
      id: body.spec.id,
      x,
      y,
      vx: round2(body.vx),
      vy: round2(body.vy),
      colour: body.colour,
      visible,
    });
    // Once out of sight for good, the object leaves the world.
    if (body.phase === 'leaving' && !visible && isFullyOutside(body, arena)) body.phase = 'gone';
  }
  return scene;
}

function isFullyOutside(body: Body, arena: PixelRect): boolean {
  return (
    body.x + body.r < arena.x0 || body.x - body.r > arena.x1 || body.y + body.r < arena.y0 || body.y - body.r > arena.y1
  );
}

/** The wall the body is beyond (or closest to): where it left the arena. */
function nearestEdge(body: Body, arena: PixelRect): EdgeName {
  const distances: [EdgeName, number][] = [
    ['left', body.x - arena.x0],
    ['right', arena.x1 - body.x],
    ['top', body.y - arena.y0],
    ['bottom', arena.y1 - body.y],
  ];
  distances.sort((p, q) => p[1] - q[1]);
  return distances[0]?.[0] ?? 'left';
}
