/**
 * Draws a scene graph to RGB frames in memory, uint8 [F, H, W, 3] in one buffer (the frame
 * layout of @vrft/video, so the result goes straight to its encoder). Pure and deterministic:
 * the same scene gives the same bytes.
 */
import { drawText, measureText } from './bitmap-font.js';
import {
  ARENA_BACKGROUND,
  COUNTER_TEXT_COLOUR,
  HUD_BACKGROUND,
  PALETTE,
  SIGN_TEXT_COLOUR,
  type Rgb,
} from './palette.js';
import { type FrameScene, type SceneGraph } from './scene-graph.js';
import { forEachShapePixel } from './shape-raster.js';

/** RGB frames [F, H, W, 3]; byte (f, y, x, c) is at ((f·H + y)·W + x)·3 + c. */
export interface WorldFrames {
  data: Uint8Array;
  shape: readonly [frames: number, height: number, width: number, channels: 3];
}

/** Renders every frame of `scene`. */
export function renderScene(scene: SceneGraph): WorldFrames {
  const { width, height, frameCount } = scene;
  const frameBytes = width * height * 3;
  const data = new Uint8Array(frameCount * frameBytes);
  const background = paintBackground(scene);
  scene.frames.forEach((frame, index) => {
    const image = data.subarray(index * frameBytes, (index + 1) * frameBytes);
    image.set(background);
    drawFrame(image, scene, frame);
  });
  return { data, shape: [frameCount, height, width, 3] };
}

/** Renders one frame [H, W, 3] of `scene`. */
export function renderFrame(scene: SceneGraph, index: number): Uint8Array {
  const frame = scene.frames[index];
  if (frame === undefined) throw new RangeError(`frame ${index} is outside 0..${scene.frameCount - 1}`);
  const image = paintBackground(scene);
  drawFrame(image, scene, frame);
  return image;
}

function paintBackground(scene: SceneGraph): Uint8Array {
  const { width, height } = scene;
  const image = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y += 1) {
    const colour = y < scene.arena.y0 ? HUD_BACKGROUND : ARENA_BACKGROUND;
    for (let x = 0; x < width; x += 1) setPixel(image, width, x, y, colour);
  }
  return image;
}

function drawFrame(image: Uint8Array, scene: SceneGraph, frame: FrameScene): void {
  const { width, height, hud, arena } = scene;
  // Objects in id order: a later object is drawn over an earlier one where they overlap.
  for (const state of frame.objects) {
    const spec = scene.objects[state.id];
    if (spec === undefined) continue;
    const colour = PALETTE[state.colour];
    forEachShapePixel(spec.shape, state.x, state.y, spec.size / 2, arena, (x, y) =>
      setPixel(image, width, x, y, colour),
    );
  }
  drawText(image, width, height, frame.sign, hud.signX, hud.signY, hud.scale, SIGN_TEXT_COLOUR);
  const counter = String(frame.counter);
  const counterX = hud.counterRight - measureText(counter.length, hud.scale);
  drawText(image, width, height, counter, counterX, hud.counterY, hud.scale, COUNTER_TEXT_COLOUR);
}

function setPixel(image: Uint8Array, width: number, x: number, y: number, colour: Rgb): void {
  const offset = (y * width + x) * 3;
  image[offset] = colour[0];
  image[offset + 1] = colour[1];
  image[offset + 2] = colour[2];
}
