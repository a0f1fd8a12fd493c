/**
 * Checks visual claims against the real frames — pixels, never the simulator's truth. Unlike the
 * describer's quick pass over a few sampled frames, the checker looks at every frame near the
 * claimed moment, with a lower size threshold, and judges a shape by its most confident sighting.
 * A verdict is `supported`, `contradicted` (with the words that should replace the claim's, or
 * `remove` when the claimed thing is nowhere to be seen) or `unclear` (nothing decisive).
 */
import { angleBetween, angleOf, directionOf, type DirectionName } from '../perception/geometry-words.js';
import { detectHud, readHud, type HudGeometry } from '../perception/hud-text.js';
import { findBlobs, type PixelBlob } from '../perception/pixel-blobs.js';
import { frameAt, frameIndexAt, type FrameSet } from '../frame-source.js';
import { type Claim } from './claims.js';

/** A claim's verdict. */
export type Verdict =
  | { verdict: 'supported' }
  | { verdict: 'unclear'; why: string }
  | { verdict: 'contradicted'; why: string; fix: { replace: string } | { remove: true } };

/** Options of the checker. */
export interface ClaimCheckOptions {
  /** Blobs smaller than this are ignored (smaller than the describer's: the checker looks harder). */
  minObjectPixels: number;
  maxColourDistance: number;
  /** A shape call with a margin below this cannot contradict a claim. */
  shapeMarginMin: number;
  /** Frames on each side of the claimed moment also looked at. */
  frameSlack: number;
  /** Direction claims more than this many degrees off the measured motion are contradicted. */
  directionToleranceDeg: number;
  textUncertainMismatches: number;
}

/** Defaults of {@link ClaimCheckOptions}. */
export const DEFAULT_CHECK_OPTIONS: Readonly<ClaimCheckOptions> = {
  minObjectPixels: 4,
  maxColourDistance: 130,
  shapeMarginMin: 0.1,
  frameSlack: 1,
  directionToleranceDeg: 35,
  textUncertainMismatches: 3,
};

/** Looks at a clip's frames on demand, caching each frame's blobs. */
export class FrameInspector {
  readonly set: FrameSet;
  readonly hud: HudGeometry;
  private readonly options: ClaimCheckOptions;
  private readonly blobCache = new Map<number, PixelBlob[]>();

  constructor(set: FrameSet, options: ClaimCheckOptions = DEFAULT_CHECK_OPTIONS) {
    this.set = set;
    this.options = options;
    const step = Math.max(1, Math.floor(set.times.length / 8));
    const sample = [];
    for (let i = 0; i < set.times.length; i += step) sample.push(frameAt(set, i));
    this.hud = detectHud(sample, set.width, set.height);
  }

  /** The blobs of frame `index`. */
  blobs(index: number): PixelBlob[] {
    let blobs = this.blobCache.get(index);
    if (!blobs) {
      blobs = findBlobs(frameAt(this.set, index), this.set.width, this.set.height, {
        arenaTop: this.hud.arenaTop,
        minPixels: this.options.minObjectPixels,
        maxColourDistance: this.options.maxColourDistance,
      });
      this.blobCache.set(index, blobs);
    }
    return blobs;
  }

  /** Frame indices within `slack` frames of time t (or all frames when t is undefined). */
  framesNear(time: number | undefined, slack = this.options.frameSlack): number[] {
    const count = this.set.times.length;
    if (time === undefined) return Array.from({ length: count }, (_, i) => i);
    const centre = frameIndexAt(this.set, time);
    const out: number[] = [];
    for (let i = centre - slack; i <= centre + slack; i += 1) {
      if (i >= 0 && i < count) out.push(i);
    }
    return out;
  }

  /** The sign and counter of frame `index`. */
  hudText(index: number) {
    return readHud(
      frameAt(this.set, index),
      this.set.width,
      this.set.height,
      this.hud,
      this.options.textUncertainMismatches,
    );
  }

  /** A shape call confident enough to contradict a claim. */
  isConfident(blob: PixelBlob): boolean {
    return blob.shapeMargin >= this.options.shapeMarginMin && !blob.touchesEdge && blob.pixels >= 16;
  }
}

/** Checks one claim against the frames (see the file header). */
export function checkClaim(
  claim: Claim,
  inspector: FrameInspector,
  options: ClaimCheckOptions = DEFAULT_CHECK_OPTIONS,
): Verdict {
  switch (claim.kind) {
    case 'present':
      return checkPresent(claim.colour, claim.shape, claim.time, inspector);
    case 'turns': {
      const before = checkPresent(
        claim.colour,
        claim.shape,
        claim.time === undefined ? undefined : Math.max(0, claim.time - 0.3),
        inspector,
      );
      const after = checkPresent(
        claim.to,
        claim.shape,
        claim.time === undefined ? undefined : claim.time + 0.3,
        inspector,
      );
      if (after.verdict === 'contradicted' && !('replace' in after.fix)) {
        return {
          verdict: 'contradicted',
          why: `no ${claim.to} ${claim.shape} after the claimed change`,
          fix: { remove: true },
        };
      }
      if (before.verdict === 'contradicted') {
        if ('replace' in before.fix) {
          return {
            verdict: 'contradicted',
            why: before.why,
            fix: { replace: `${before.fix.replace} turns ${claim.to}` },
          };
        }
        if (after.verdict === 'contradicted') return before;
      }
      return before.verdict === 'supported' && after.verdict === 'supported'
        ? { verdict: 'supported' }
        : { verdict: 'unclear', why: 'change not confirmed' };
    }
    case 'moving':
      return checkMoving(claim.colour, claim.shape, claim.direction, claim.time, claim.since, inspector, options);
    case 'sign':
    case 'counter': {
      const frames = claim.time === undefined ? inspector.framesNear(undefined) : inspector.framesNear(claim.time);
      const readings = frames.map((i) => inspector.hudText(i)[claim.kind === 'sign' ? 'sign' : 'counter']);
      const wanted = claim.kind === 'sign' ? claim.text : String(claim.value);
      if (readings.some((r) => r.text === wanted)) return { verdict: 'supported' };
      const confident = readings.filter((r) => !r.uncertain && r.text !== '');
      if (confident.length === 0) return { verdict: 'unclear', why: 'text not legible' };
      const votes = new Map<string, number>();
      for (const r of confident) votes.set(r.text, (votes.get(r.text) ?? 0) + 1);
      const best = [...votes.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? wanted;
      return { verdict: 'contradicted', why: `the ${claim.kind} reads ${best}`, fix: { replace: best } };
    }
    case 'count': {
      let lower = 0;
      const colours = new Set<string>();
      for (const i of inspector.framesNear(undefined)) {
        const confident = inspector.blobs(i).filter((b) => b.shape === claim.shape && inspector.isConfident(b));
        lower = Math.max(lower, confident.length);
        for (const b of inspector.blobs(i)) if (b.shape === claim.shape) colours.add(b.colour);
      }
      const upper = Math.max(lower, colours.size);
      if (claim.value >= lower && claim.value <= upper) return { verdict: 'supported' };
      const fixed = claim.value < lower ? lower : upper;
      return {
        verdict: 'contradicted',
        why: `between ${lower} and ${upper} ${claim.shape}s are visible`,
        fix: { replace: String(fixed) },
      };
    }
  }
}

function checkPresent(colour: string, shape: string, time: number | undefined, inspector: FrameInspector): Verdict {
  const where = time === undefined ? 'in the clip' : `near ${time} s`;
  const anchors = inspector.framesNear(time).flatMap((i) => inspector.blobs(i).filter((b) => b.colour === colour));
  if (anchors.some((b) => b.shape === shape && inspector.isConfident(b))) return { verdict: 'supported' };
  if (anchors.length > 0) {
    // Judge the shape from confident sightings of the same object over a wider window: a small
    // or clipped blob in one frame is often clear a few frames away.
    const votes = new Map<string, number>();
    const window = time === undefined ? inspector.framesNear(undefined) : inspector.framesNear(time, 4);
    for (const i of window) {
      for (const b of inspector.blobs(i)) {
        if (b.colour !== colour || !inspector.isConfident(b)) continue;
        if (!anchors.some((a) => Math.hypot(a.cx - b.cx, a.cy - b.cy) <= 14)) continue;
        votes.set(b.shape, (votes.get(b.shape) ?? 0) + b.shapeMargin);
      }
    }
    const total = [...votes.values()].reduce((sum, v) => sum + v, 0);
    if (total === 0)
      return { verdict: 'unclear', why: `the ${colour} object ${where} is too small or cut off to judge its shape` };
    if ((votes.get(shape) ?? 0) >= 0.3 * total) return { verdict: 'supported' };
    const top = [...votes.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? shape;
    return {
      verdict: 'contradicted',
      why: `the ${colour} object ${where} is a ${top}`,
      fix: { replace: `${colour} ${top}` },
    };
  }
  const sameShape = inspector
    .framesNear(time)
    .flatMap((i) => inspector.blobs(i).filter((b) => b.shape === shape && inspector.isConfident(b)));
  const colours = new Set(sameShape.map((b) => b.colour));
  if (colours.size === 1) {
    const other = [...colours][0] ?? colour;
    return { verdict: 'contradicted', why: `the ${shape} ${where} is ${other}`, fix: { replace: `${other} ${shape}` } };
  }
  return { verdict: 'contradicted', why: `no ${colour} ${shape} ${where}`, fix: { remove: true } };
}

function checkMoving(
  colour: string,
  shape: string,
  direction: DirectionName,
  time: number | undefined,
  since: number | undefined,
  inspector: FrameInspector,
  options: ClaimCheckOptions,
): Verdict {
  const set = inspector.set;
  const end = time ?? set.times.at(-1) ?? 0;
  const start = since ?? Math.max(0, end - 0.5);
  const from = frameIndexAt(set, start);
  const to = frameIndexAt(set, end);
  if (to <= from) return { verdict: 'unclear', why: 'no time span to measure motion over' };
  // Follow the object frame by frame: the nearest blob of its colour (shape preferred) each time.
  const pick = (index: number, near?: PixelBlob) => {
    const candidates = inspector.blobs(index).filter((b) => b.colour === colour);
    const ranked = candidates.sort((a, b) => {
      const da = near ? Math.hypot(a.cx - near.cx, a.cy - near.cy) : 0;
      const db = near ? Math.hypot(b.cx - near.cx, b.cy - near.cy) : 0;
      return da + (a.shape === shape ? 0 : 5) - (db + (b.shape === shape ? 0 : 5));
    });
    return ranked[0];
  };
  const first = pick(from);
  if (!first) return { verdict: 'unclear', why: `no ${colour} object at the start of the motion` };
  let current = first;
  for (let i = from + 1; i <= to; i += 1) current = pick(i, current) ?? current;
  const dx = current.cx - first.cx;
  const dy = current.cy - first.cy;
  if (Math.hypot(dx, dy) < 1.5) return { verdict: 'unclear', why: 'it barely moves' };
  const measured = Math.atan2(-dy, dx);
  const gap = (angleBetween(measured, angleOf(direction)) * 180) / Math.PI;
  if (gap <= options.directionToleranceDeg) return { verdict: 'supported' };
  const actual = directionOf(dx, dy);
  return { verdict: 'contradicted', why: `it moves ${actual}`, fix: { replace: actual } };
}
