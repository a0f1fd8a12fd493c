/**
 * Object blobs in one RGB frame: every arena pixel is named by its nearest colour among the
 * arena floor and the palette (squared RGB distance), same-named 4-connected pixels form a blob,
 * and a blob's shape is judged from its bounding box alone — fill ratio and where its mass sits:
 *
 *   fill = pixels / (w · h)      square ≈ 1, circle ≈ π/4 ≈ 0.785, diamond and triangle ≈ 0.5
 *   vOff = (centroid_y − y0) / h  triangle (apex up) ≈ 2/3, the symmetric shapes ≈ 1/2
 *
 * Small, clipped or overlapping blobs break those ratios; the margins returned say how sure the
 * call is, and the caller marks low margins as uncertain.
 */
import { ARENA_BACKGROUND, COLOUR_NAMES, PALETTE, SHAPE_NAMES, type ColourName, type ShapeName } from '@vrft/data';

/** One connected region of one colour. Coordinates are pixels; boxes are [x0, x1) × [y0, y1). */
export interface PixelBlob {
  colour: ColourName;
  /** Distance to the second-nearest palette colour minus distance to the nearest (RGB units). */
  colourMargin: number;
  pixels: number;
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  /** Centroid of the pixel centres. */
  cx: number;
  cy: number;
  shape: ShapeName;
  /** Score gap between the best and the second-best shape (0: a coin toss). */
  shapeMargin: number;
  /** The blob touches the arena's border (the object may be cut off). */
  touchesEdge: boolean;
}

/** Options of {@link findBlobs}. */
export interface BlobOptions {
  /** First arena row (rows above hold the heads-up text). */
  arenaTop: number;
  /** Blobs with fewer pixels are dropped. */
  minPixels: number;
  /** A pixel farther than this (RGB distance) from every palette colour counts as floor. */
  maxColourDistance: number;
  /** Only look inside this box (defaults to the whole arena). */
  region?: { x0: number; y0: number; x1: number; y1: number };
}

const PALETTE_RGB = COLOUR_NAMES.map((name) => PALETTE[name]);

/** Index+1 of the nearest palette colour of (r, g, b), or 0 when the floor is nearer or nothing is near. */
function labelPixel(r: number, g: number, b: number, maxDistance2: number): number {
  const bg = ARENA_BACKGROUND;
  let best = (r - bg[0]) ** 2 + (g - bg[1]) ** 2 + (b - bg[2]) ** 2;
  let label = 0;
  PALETTE_RGB.forEach((c, i) => {
    const d = (r - c[0]) ** 2 + (g - c[1]) ** 2 + (b - c[2]) ** 2;
    if (d < best) {
      best = d;
      label = i + 1;
    }
  });
  return label > 0 && best <= maxDistance2 ? label : 0;
}

/** Finds the object blobs of an RGB frame [H, W, 3]. */
export function findBlobs(frame: Uint8Array, width: number, height: number, options: BlobOptions): PixelBlob[] {
  const region = options.region ?? { x0: 0, y0: options.arenaTop, x1: width, y1: height };
  const x0 = Math.max(0, region.x0);
  const y0 = Math.max(options.arenaTop, region.y0);
  const x1 = Math.min(width, region.x1);
  const y1 = Math.min(height, region.y1);
  const labels = new Uint8Array(width * height);
  const maxDistance2 = options.maxColourDistance ** 2;
  for (let y = y0; y < y1; y += 1) {
    for (let x = x0; x < x1; x += 1) {
      const o = (y * width + x) * 3;
      labels[y * width + x] = labelPixel(frame[o] ?? 0, frame[o + 1] ?? 0, frame[o + 2] ?? 0, maxDistance2);
    }
  }
  const seen = new Uint8Array(width * height);
  const stack = new Int32Array(width * height);
  const blobs: PixelBlob[] = [];
  for (let y = y0; y < y1; y += 1) {
    for (let x = x0; x < x1; x += 1) {
      const start = y * width + x;
      const label = labels[start] ?? 0;
      if (label === 0 || seen[start]) continue;
      // Flood fill (4-connected) over pixels of the same label.
      let top = 0;
      stack[top++] = start;
      seen[start] = 1;
      const members: number[] = [];
      while (top > 0) {
        const p = stack[--top] ?? 0;
        members.push(p);
        const px = p % width;
        const py = (p - px) / width;
        const neighbours = [
          px > x0 ? p - 1 : -1,
          px + 1 < x1 ? p + 1 : -1,
          py > y0 ? p - width : -1,
          py + 1 < y1 ? p + width : -1,
        ];
        for (const q of neighbours) {
          if (q < 0 || seen[q] || labels[q] !== label) continue;
          seen[q] = 1;
          stack[top++] = q;
        }
      }
      if (members.length < options.minPixels) continue;
      blobs.push(measureBlob(frame, width, members, { x0, y0: options.arenaTop, x1: width, y1: height }));
    }
  }
  return blobs;
}

function measureBlob(
  frame: Uint8Array,
  width: number,
  members: readonly number[],
  arena: { x0: number; y0: number; x1: number; y1: number },
): PixelBlob {
  let bx0 = Number.POSITIVE_INFINITY;
  let by0 = Number.POSITIVE_INFINITY;
  let bx1 = 0;
  let by1 = 0;
  let sx = 0;
  let sy = 0;
  const rgb = [0, 0, 0];
  for (const p of members) {
    const x = p % width;
    const y = (p - x) / width;
    bx0 = Math.min(bx0, x);
    by0 = Math.min(by0, y);
    bx1 = Math.max(bx1, x + 1);
    by1 = Math.max(by1, y + 1);
    sx += x + 0.5;
    sy += y + 0.5;
    for (let c = 0; c < 3; c += 1) rgb[c] = (rgb[c] ?? 0) + (frame[p * 3 + c] ?? 0);
  }
  const n = members.length;
  const mean = rgb.map((v) => v / n);
  const { colour, margin } = nameColour(mean[0] ?? 0, mean[1] ?? 0, mean[2] ?? 0);
  const cx = sx / n;
  const cy = sy / n;
  const { shape, margin: shapeMargin } = classifyShape(n, bx1 - bx0, by1 - by0, (cy - by0) / (by1 - by0));
  return {
    colour,
    colourMargin: margin,
    pixels: n,
    x0: bx0,
    y0: by0,
    x1: bx1,
    y1: by1,
    cx,
    cy,
    shape,
    shapeMargin,
    touchesEdge: bx0 <= arena.x0 || by0 <= arena.y0 || bx1 >= arena.x1 || by1 >= arena.y1,
  };
}

/** The nearest palette colour of a mean colour, and the margin to the runner-up (RGB distance). */
export function nameColour(r: number, g: number, b: number): { colour: ColourName; margin: number } {
  const ranked = COLOUR_NAMES.map((name) => {
    const c = PALETTE[name];
    return { name, d: Math.hypot(r - c[0], g - c[1], b - c[2]) };
  }).sort((p, q) => p.d - q.d);
  const first = ranked[0];
  const second = ranked[1];
  return { colour: first?.name ?? 'white', margin: (second?.d ?? 0) - (first?.d ?? 0) };
}

// Ideal (fill, vOff) of each shape, from the continuous shapes (see the file header).
const SHAPE_SIGNATURES: Readonly<Record<ShapeName, { fill: number; vOff: number }>> = {
  square: { fill: 1, vOff: 0.5 },
  circle: { fill: Math.PI / 4, vOff: 0.5 },
  diamond: { fill: 0.5, vOff: 0.5 },
  triangle: { fill: 0.5, vOff: 2 / 3 },
};

/** The shape whose signature is nearest to the blob's, and the gap to the runner-up. */
export function classifyShape(
  pixels: number,
  w: number,
  h: number,
  vOff: number,
): { shape: ShapeName; margin: number } {
  const fill = pixels / Math.max(1, w * h);
  // A long thin box is a clipped object: its ratios say little, so the score is flattened.
  const squareness = Math.min(w, h) / Math.max(w, h, 1);
  const ranked = SHAPE_NAMES.map((shape) => {
    const s = SHAPE_SIGNATURES[shape];
    return { shape, score: Math.abs(fill - s.fill) * 2 + Math.abs(vOff - s.vOff) * 3 };
  }).sort((a, b) => a.score - b.score);
  const first = ranked[0];
  const second = ranked[1];
  return {
    shape: first?.shape ?? 'circle',
    margin: ((second?.score ?? 0) - (first?.score ?? 0)) * squareness,
  };
}
