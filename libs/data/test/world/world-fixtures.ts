/** Shared helpers of the world tests: options, a pixel reader, and independent recomputations. */
import { parseSyntheticOptions, type SceneGraph, type SyntheticOptions } from '../../src/index.js';

/** Medium options with every random event made likely, so a few seeds exercise every family. */
export function eventfulOptions(overrides: Parameters<typeof parseSyntheticOptions>[0] = {}): SyntheticOptions {
  return parseSyntheticOptions({
    difficulty: 'hard',
    ...overrides,
    world: { enterChance: 0.5, leaveChance: 0.5, signChangeChance: 0.5, ...overrides.world },
  });
}

/** The RGB triple at (x, y) of frame `f` of [F, H, W, 3] frames. */
export function pixelAt(data: Uint8Array, width: number, height: number, f: number, x: number, y: number): number[] {
  const o = ((f * height + y) * width + x) * 3;
  return [data[o] ?? -1, data[o + 1] ?? -1, data[o + 2] ?? -1];
}

/** Most objects visible in one frame, straight from the per-frame metadata. */
export function recountMaxVisible(scene: SceneGraph): number {
  return Math.max(...scene.frames.map((frame) => frame.objects.filter((o) => o.visible).length));
}

/** Ids of objects visible in at least one frame. */
export function recountAppeared(scene: SceneGraph): Set<number> {
  return new Set(scene.frames.flatMap((frame) => frame.objects.filter((o) => o.visible).map((o) => o.id)));
}
