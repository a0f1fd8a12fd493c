/**
 * Which pixels a shape covers. One function serves the renderer (paint them) and the simulator
 * (count them to decide visibility), so "visible" in the scene graph means "has pixels in the
 * frame". A pixel is covered when its centre (px + 0.5, py + 0.5) lies inside the shape: hard
 * edges, no anti-aliasing, so a covered pixel holds exactly the object's colour.
 */
import { type ShapeName } from './palette.js';

/** An axis-aligned pixel rectangle, [x0, x1) × [y0, y1). */
export interface PixelRect {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** Whether the point (dx, dy), relative to the centre, is inside a shape of half-size r. */
export function isInsideShape(shape: ShapeName, dx: number, dy: number, r: number): boolean {
  switch (shape) {
    case 'circle':
      return dx * dx + dy * dy <= r * r;
    case 'square':
      return Math.abs(dx) <= r && Math.abs(dy) <= r;
    case 'diamond':
      return Math.abs(dx) + Math.abs(dy) <= r;
    case 'triangle':
      // Apex up at (0, −r), base at y = +r of width 2r: half-width grows as (dy + r) / 2.
      return dy >= -r && dy <= r && Math.abs(dx) <= (dy + r) / 2;
  }
}

/** Calls `visit(x, y)` for every pixel of `clip` covered by the shape centred at (cx, cy). */
export function forEachShapePixel(
  shape: ShapeName,
  cx: number,
  cy: number,
  r: number,
  clip: PixelRect,
  visit: (x: number, y: number) => void,
): void {
  const x0 = Math.max(clip.x0, Math.floor(cx - r));
  const x1 = Math.min(clip.x1, Math.ceil(cx + r) + 1);
  const y0 = Math.max(clip.y0, Math.floor(cy - r));
  const y1 = Math.min(clip.y1, Math.ceil(cy + r) + 1);
  for (let y = y0; y < y1; y += 1) {
    for (let x = x0; x < x1; x += 1) {
      if (isInsideShape(shape, x + 0.5 - cx, y + 0.5 - cy, r)) visit(x, y);
    }
  }
}

/** How many pixels of `clip` the shape covers. */
export function countShapePixels(shape: ShapeName, cx: number, cy: number, r: number, clip: PixelRect): number {
  let count = 0;
  forEachShapePixel(shape, cx, cy, r, clip, () => {
    count += 1;
  });
  return count;
}
