/** Pixels agree with the scene graph: objects' colours at their positions, legible sign and counter. */
import { describe, expect, it } from 'vitest';
import {
  ARENA_BACKGROUND,
  FONT_CHARACTERS,
  PALETTE,
  drawText,
  generateClip,
  measureText,
  parseSyntheticOptions,
  readBitmapCharacters,
  readBitmapText,
  renderFrame,
  renderScene,
} from '../../src/index.js';
import { glyphOf } from '../../src/world/bitmap-font.js';
import { eventfulOptions, pixelAt } from './world-fixtures.js';

describe('renderScene', () => {
  it('paints each visible object in its colour at its position, and the floor elsewhere', () => {
    const options = eventfulOptions();
    let checked = 0;
    for (const seed of [1, 2, 3, 4, 5]) {
      const { scene } = generateClip('train', seed, options);
      const frames = renderScene(scene);
      expect(frames.shape).toEqual([scene.frameCount, scene.height, scene.width, 3]);
      for (const frame of scene.frames) {
        frame.objects.forEach((state, i) => {
          const x = Math.floor(state.x);
          const y = Math.floor(state.y);
          if (x < scene.arena.x0 || x >= scene.arena.x1 || y < scene.arena.y0 || y >= scene.arena.y1) return;
          // Skip pixels that an object drawn later might cover (a generous disk test).
          const later = frame.objects.slice(i + 1);
          const covered = later.some((o) => {
            const r = (scene.objects[o.id]?.size ?? 0) / 2;
            return Math.hypot(o.x - (x + 0.5), o.y - (y + 0.5)) <= r + 1;
          });
          if (covered) return;
          expect(pixelAt(frames.data, scene.width, scene.height, frame.index, x, y)).toEqual([
            ...PALETTE[state.colour],
          ]);
          checked += 1;
        });
        // A floor pixel far from every object.
        const far = [
          [2, scene.arena.y0 + 1],
          [scene.width - 3, scene.height - 2],
        ].find(([px = 0, py = 0]) =>
          frame.objects.every((o) => Math.hypot(o.x - px, o.y - py) > (scene.objects[o.id]?.size ?? 0) / 2 + 2),
        );
        if (far) {
          const [px = 0, py = 0] = far;
          expect(pixelAt(frames.data, scene.width, scene.height, frame.index, px, py)).toEqual([...ARENA_BACKGROUND]);
        }
      }
      const last = scene.frameCount - 1;
      expect(
        Buffer.from(renderFrame(scene, last)).equals(
          Buffer.from(frames.data.subarray(last * scene.width * scene.height * 3)),
        ),
      ).toBe(true);
    }
    expect(checked).toBeGreaterThan(100);
  });

  it('draws a sign and counter that template matching reads back exactly, at 64 and 128 px', () => {
    for (const [width, seeds] of [
      [64, [10, 11, 12, 13, 14, 15]],
      [128, [20, 21]],
    ] as const) {
      const options = eventfulOptions({ world: { width, height: width } });
      for (const seed of seeds) {
        const { scene } = generateClip('validation', seed, options);
        const frames = renderScene(scene);
        const { hud } = scene;
        for (const frame of scene.frames) {
          const image = frames.data.subarray(frame.index * width * width * 3, (frame.index + 1) * width * width * 3);
          const sign = readBitmapText(image, width, width, { x: hud.signX, y: hud.signY, scale: hud.scale, chars: 7 });
          expect(sign).toBe(frame.sign);
          const counterX = hud.counterRight - measureText(3, hud.scale);
          const counter = readBitmapText(image, width, width, {
            x: counterX,
            y: hud.counterY,
            scale: hud.scale,
            chars: 3,
          });
          expect(counter).toBe(String(frame.counter));
        }
      }
    }
  });

  it('has glyphs that differ in at least 3 cells from each other, so one bad cell cannot swap characters', () => {
    for (const a of FONT_CHARACTERS) {
      for (const b of FONT_CHARACTERS) {
        if (a >= b) continue;
        const ga = glyphOf(a);
        const gb = glyphOf(b);
        const differing = ga.filter((cell, i) => cell !== gb[i]).length;
        expect(differing, `${a} vs ${b}`).toBeGreaterThanOrEqual(3);
      }
    }
    // Every character survives a draw → read round trip with no mismatching cell.
    const text = FONT_CHARACTERS.join('');
    const width = measureText(text.length, 1) + 2;
    const image = new Uint8Array(width * 9 * 3);
    drawText(image, width, 9, text, 1, 1, 1, [255, 255, 255]);
    const read = readBitmapCharacters(image, width, 9, { x: 1, y: 1, scale: 1, chars: text.length });
    expect(read.map((c) => c.char).join('')).toBe(text);
    expect(read.every((c) => c.mismatches === 0)).toBe(true);
  });

  it('refuses a frame too small for the sign, naming the field', () => {
    expect(() => parseSyntheticOptions({ world: { width: 40 } })).toThrow(/world\.width/);
  });
});
