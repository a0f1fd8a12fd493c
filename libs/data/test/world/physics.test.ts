/** The simulation's records are physically and logically consistent. */
import { describe, expect, it } from 'vitest';
import {
  DataOptionsError,
  generateClip,
  parseSyntheticOptions,
  selectFamilies,
  type SceneGraph,
} from '../../src/index.js';
import { eventfulOptions } from './world-fixtures.js';

const options = eventfulOptions();
const scenes: SceneGraph[] = Array.from({ length: 30 }, (_, seed) => generateClip('train', seed, options).scene);

const stateOf = (scene: SceneGraph, frame: number, id: number) => scene.frames[frame]?.objects.find((o) => o.id === id);

describe('simulation', () => {
  it('conserves kinetic energy (m = r²) across each collision', () => {
    let checked = 0;
    for (const scene of scenes) {
      for (const event of scene.events) {
        if (event.kind !== 'collision') continue;
        // Only collisions that are the pair's sole collision in that frame compare cleanly.
        const busy = scene.events.filter((e) => e.frame === event.frame && e.kind === 'collision').length > 1;
        if (busy || event.frame === 0) continue;
        const energy = (frame: number) =>
          event.objects.reduce((sum, id) => {
            const s = stateOf(scene, frame, id);
            const r = (scene.objects[id]?.size ?? 0) / 2;
            return sum + r * r * ((s?.vx ?? 0) ** 2 + (s?.vy ?? 0) ** 2);
          }, 0);
        const before = energy(event.frame - 1);
        expect(Math.abs(energy(event.frame) - before) / before).toBeLessThan(1e-3);
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThan(10);
  });

  it('reverses the velocity component into the wall at each bounce', () => {
    for (const scene of scenes) {
      for (const event of scene.events) {
        if (event.kind !== 'bounce') continue;
        const others = scene.events.filter(
          (e) => e.frame === event.frame && e !== event && (e.kind === 'collision' || e.kind === 'bounce'),
        );
        const touches = (e: (typeof others)[number]): boolean =>
          e.kind === 'collision' ? e.objects.includes(event.object) : e.kind === 'bounce' && e.object === event.object;
        if (others.some(touches)) {
          continue;
        }
        const s = stateOf(scene, event.frame, event.object);
        if (!s) throw new Error('bounced object must be in the frame');
        if (event.edge === 'left') expect(s.vx).toBeGreaterThan(0);
        if (event.edge === 'right') expect(s.vx).toBeLessThan(0);
        if (event.edge === 'top') expect(s.vy).toBeGreaterThan(0);
        if (event.edge === 'bottom') expect(s.vy).toBeLessThan(0);
      }
    }
  });

  it('stamps enter, leave and colour-change events on the frames where the records change', () => {
    let entered = 0;
    let left = 0;
    let changed = 0;
    for (const scene of scenes) {
      for (const event of scene.events) {
        if (event.kind === 'enter') {
          expect(stateOf(scene, event.frame, event.object)?.visible).toBe(true);
          for (let f = 0; f < event.frame; f += 1)
            expect(stateOf(scene, f, event.object)?.visible ?? false).toBe(false);
          entered += 1;
        } else if (event.kind === 'leave') {
          expect(stateOf(scene, event.frame - 1, event.object)?.visible).toBe(true);
          for (let f = event.frame; f < scene.frameCount; f += 1) {
            expect(stateOf(scene, f, event.object)?.visible ?? false).toBe(false);
          }
          left += 1;
        } else if (event.kind === 'colour-change') {
          expect(stateOf(scene, event.frame - 1, event.object)?.colour).toBe(event.from);
          expect(stateOf(scene, event.frame, event.object)?.colour).toBe(event.to);
          changed += 1;
        }
      }
      // Names stay unique: no two objects of one shape ever share a colour.
      const owners = new Map<string, number>();
      for (const frame of scene.frames) {
        for (const s of frame.objects) {
          const key = `${scene.objects[s.id]?.shape}/${s.colour}`;
          expect(owners.get(key) ?? s.id).toBe(s.id);
          owners.set(key, s.id);
        }
      }
    }
    expect(entered).toBeGreaterThan(5);
    expect(left).toBeGreaterThan(2);
    expect(changed).toBeGreaterThan(5);
  });

  it('keeps clip length and object count within the options', () => {
    for (const scene of scenes) {
      expect(scene.frameCount).toBeGreaterThanOrEqual(Math.round(options.world.minDurationSec * scene.fps));
      expect(scene.frameCount).toBeLessThanOrEqual(Math.round(options.world.maxDurationSec * scene.fps));
      expect(scene.objects.length).toBeGreaterThanOrEqual(options.world.minObjects);
      expect(scene.objects.length).toBeLessThanOrEqual(options.world.maxObjects);
    }
  });
});

describe('options', () => {
  const fieldOf = (fn: () => unknown): string | undefined => {
    try {
      fn();
    } catch (error) {
      return error instanceof DataOptionsError ? error.field : String(error);
    }
    return undefined;
  };

  it('name the bad field', () => {
    expect(fieldOf(() => parseSyntheticOptions({ world: { fps: 0 } }))).toBe('world.fps');
    expect(fieldOf(() => parseSyntheticOptions({ world: { minObjects: 4, maxObjects: 3 } }))).toBe('world.maxObjects');
    expect(fieldOf(() => parseSyntheticOptions({ world: { shapes: ['circle'], colours: ['red', 'blue'] } }))).toBe(
      'world.maxObjects',
    );
    expect(fieldOf(() => parseSyntheticOptions({ world: { signWords: ['TOOLONG'] } }))).toBe('world.signWords');
    expect(fieldOf(() => parseSyntheticOptions({ questions: { closeness: 2 } }))).toBe('questions.closeness');
    expect(fieldOf(() => parseSyntheticOptions({ difficulty: 'extreme' as never }))).toBe('difficulty');
    const families = parseSyntheticOptions({ questions: { families: ['nope'] } }).questions;
    expect(fieldOf(() => selectFamilies(families))).toBe('questions.families');
  });

  it('make harder presets busier and closer', () => {
    const easy = parseSyntheticOptions({ difficulty: 'easy' });
    const hard = parseSyntheticOptions({ difficulty: 'hard' });
    expect(hard.world.maxObjects).toBeGreaterThan(easy.world.maxObjects);
    expect(hard.world.maxSpeed).toBeGreaterThan(easy.world.maxSpeed);
    expect(hard.questions.closeness).toBeGreaterThan(easy.questions.closeness);
  });
});
