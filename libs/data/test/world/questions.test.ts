/**
 * Every family writes valid Video-R1 samples, and answers match an independent recomputation from
 * the per-frame metadata (not from the writers' own fact collector).
 */
import { describe, expect, it } from 'vitest';
import {
  PROBLEM_TYPE_NAMES,
  QUESTION_FAMILIES,
  extractAnswer,
  generateClip,
  parseSyntheticOptions,
  toVideoSamples,
  validateSample,
  writeQuestionOfFamily,
  type SceneGraph,
  type WorldQuestion,
} from '../../src/index.js';
import { eventfulOptions, recountAppeared, recountMaxVisible } from './world-fixtures.js';

const options = eventfulOptions();
const SEEDS = Array.from({ length: 40 }, (_, i) => i);
const scenes = SEEDS.map((seed) => generateClip('train', seed, options).scene);

/** Every question a family writes over the test scenes, with its scene. */
function asked(name: string): { scene: SceneGraph; question: WorldQuestion }[] {
  const family = QUESTION_FAMILIES.find((f) => f.name === name);
  if (!family) throw new Error(`no family ${name}`);
  return scenes.flatMap((scene) => {
    const question = writeQuestionOfFamily(scene, family, options.questions.closeness);
    return question ? [{ scene, question }] : [];
  });
}

/** The id of the object a phrase like "the red circle" or "the circle that is red at first" names. */
function findNamed(scene: SceneGraph, text: string, nth = 0): number {
  const pattern =
    /the (\w+) (circle|square|triangle|diamond)|the (circle|square|triangle|diamond) that is (\w+) at first/g;
  const match = [...text.matchAll(pattern)][nth];
  if (!match) throw new Error(`no object named in ${JSON.stringify(text)}`);
  const colour = match[1] ?? match[4];
  const shape = match[2] ?? match[3];
  const ids = scene.objects
    .filter((o) => o.shape === shape)
    .filter(
      (o) =>
        o.colour === colour || scene.frames.some((f) => f.objects.some((s) => s.id === o.id && s.colour === colour)),
    )
    .map((o) => o.id);
  expect(ids, `${colour} ${shape} must name exactly one object`).toHaveLength(1);
  return ids[0] ?? -1;
}

function chosenOption(question: WorldQuestion): string {
  const option = question.options.find((o) => o.startsWith(`${question.answer}. `));
  if (!option) throw new Error(`answer ${question.answer} is not among the options`);
  return option.slice(3);
}

describe('question families', () => {
  it('each write valid samples for some clips, covering all five problem types', () => {
    const types = new Set<string>();
    for (const family of QUESTION_FAMILIES) {
      const written = asked(family.name);
      expect(written.length, `family ${family.name} wrote nothing in ${SEEDS.length} clips`).toBeGreaterThan(0);
      for (const { question } of written) {
        types.add(question.problemType);
        const [sample] = toVideoSamples({
          clipId: 'train-00000001',
          split: 'train',
          localSeed: 1,
          seed: 1,
          scene: scenes[0] as SceneGraph,
          questions: [question],
        });
        expect(validateSample(sample, { kind: 'rl' })).toEqual([]);
        expect(extractAnswer(sample?.solution ?? '')).toBe(question.answer);
        if (question.problemType === 'multiple choice') {
          expect(question.options.length).toBeGreaterThanOrEqual(2);
          expect(new Set(question.options.map((o) => o.slice(3))).size).toBe(question.options.length);
        } else {
          expect(question.options).toEqual([]);
        }
      }
    }
    expect([...types].sort()).toEqual([...PROBLEM_TYPE_NAMES].sort());
  });

  it('mixes problem types across a dataset and never repeats a family within a clip', () => {
    const mixed = parseSyntheticOptions({ questions: { questionsPerClip: 3 } });
    const counts = new Map<string, number>();
    for (const seed of SEEDS) {
      const clip = generateClip('train', seed, mixed);
      expect(new Set(clip.questions.map((q) => q.family)).size).toBe(clip.questions.length);
      for (const q of clip.questions) counts.set(q.problemType, (counts.get(q.problemType) ?? 0) + 1);
    }
    for (const type of PROBLEM_TYPE_NAMES) expect(counts.get(type) ?? 0).toBeGreaterThan(SEEDS.length * 0.3);
  });

  it('count the most objects visible at once from the per-frame visibility flags', () => {
    for (const { scene, question } of asked('count-max-visible')) {
      expect(Number(question.answer)).toBe(recountMaxVisible(scene));
    }
  });

  it('count objects of a shape that ever appear', () => {
    for (const { scene, question } of asked('count-shape')) {
      const shape = /How many (\w+)s appear/.exec(question.problem)?.[1];
      const appeared = recountAppeared(scene);
      const expected = scene.objects.filter((o) => o.shape === shape && appeared.has(o.id)).length;
      expect(Number(question.answer)).toBe(expected);
    }
  });

  it('count collisions, and the counter shows the collisions so far in every frame', () => {
    for (const { scene, question } of [...asked('count-collisions'), ...asked('read-counter')]) {
      const collisions = scene.events.filter((e) => e.kind === 'collision');
      expect(Number(question.answer)).toBe(collisions.length);
      for (const frame of scene.frames) {
        expect(frame.counter).toBe(collisions.filter((e) => e.frame <= frame.index).length);
      }
    }
  });

  it('read the sign as the frames show it', () => {
    for (const { scene, question } of asked('read-sign')) {
      const frame = question.problem.includes('at the end') ? scene.frames.at(-1) : scene.frames[0];
      expect(question.answer).toBe(frame?.sign);
    }
  });

  it('time how long an object is visible from its visible frames', () => {
    for (const { scene, question } of asked('time-visible')) {
      const id = findNamed(scene, question.problem);
      const frames = scene.frames.filter((f) => f.objects.some((o) => o.id === id && o.visible)).length;
      // The answer is rounded to 2 decimals.
      expect(Math.abs(Number(question.answer) - frames / scene.fps)).toBeLessThanOrEqual(0.0051);
    }
  });

  it('name the direction closest to the object’s first displacement', () => {
    const vectors: Record<string, [number, number]> = {
      right: [1, 0],
      'up and to the right': [1, -1],
      up: [0, -1],
      'up and to the left': [-1, -1],
      left: [-1, 0],
      'down and to the left': [-1, 1],
      down: [0, 1],
      'down and to the right': [1, 1],
    };
    for (const { scene, question } of asked('direction')) {
      const id = findNamed(scene, question.problem);
      const visible = scene.frames.filter((f) => f.objects.some((o) => o.id === id && o.visible));
      const [a, b] = [visible[0], visible[2]].map((f) => f?.objects.find((o) => o.id === id));
      if (!a || !b) throw new Error('object must be visible for 3 frames');
      const cosine = (label: string) => {
        const [vx, vy] = vectors[label.toLowerCase()] ?? [0, 0];
        return (vx * (b.x - a.x) + vy * (b.y - a.y)) / Math.hypot(vx, vy) / Math.hypot(b.x - a.x, b.y - a.y);
      };
      const best = question.options.map((o) => o.slice(3)).sort((p, q) => cosine(q) - cosine(p))[0];
      expect(best).toBe(chosenOption(question));
    }
  });

  it('place one object relative to another from their positions in the frame asked about', () => {
    for (const { scene, question } of asked('spatial-relation')) {
      const frame = question.problem.startsWith('At the start') ? scene.frames[0] : scene.frames.at(-1);
      const [a, b] = [0, 1].map((n) => frame?.objects.find((o) => o.id === findNamed(scene, question.problem, n)));
      if (!a || !b) throw new Error('both objects must be in the frame');
      const relation = chosenOption(question);
      if (relation === 'To its left') expect(a.x).toBeLessThan(b.x);
      if (relation === 'To its right') expect(a.x).toBeGreaterThan(b.x);
      if (relation === 'Above it') expect(a.y).toBeLessThan(b.y);
      if (relation === 'Below it') expect(a.y).toBeGreaterThan(b.y);
    }
  });

  it('pick the fastest or slowest option by mean speed over visible frames', () => {
    for (const { scene, question } of asked('speed-extreme')) {
      const speed = (id: number): number => {
        const steps: number[] = [];
        for (let f = 0; f + 1 < scene.frameCount; f += 1) {
          const p = scene.frames[f]?.objects.find((o) => o.id === id && o.visible);
          const q = scene.frames[f + 1]?.objects.find((o) => o.id === id && o.visible);
          if (p && q) steps.push(Math.hypot(q.x - p.x, q.y - p.y) * scene.fps);
        }
        return steps.reduce((s, v) => s + v, 0) / steps.length;
      };
      const speeds = question.options.map((o) => speed(findNamed(scene, o.slice(3).replace(/^The/, 'the'))));
      const chosen = speed(findNamed(scene, chosenOption(question).replace(/^The/, 'the')));
      const slowest = question.problem.includes('slowest');
      expect(chosen).toBe(slowest ? Math.min(...speeds) : Math.max(...speeds));
    }
  });

  it('answer cause-and-effect questions with the colour change the events record', () => {
    for (const { scene, question } of asked('cause-why-colour')) {
      const id = findNamed(scene, question.problem);
      const to = /turn (\w+)\?$/.exec(question.problem)?.[1];
      const change = scene.events.find((e) => e.kind === 'colour-change' && e.object === id && e.to === to);
      if (change?.kind !== 'colour-change') throw new Error('the colour change must be in the events');
      const answer = chosenOption(question);
      if (change.cause.kind === 'wall') expect(answer).toBe(`It bounces off the ${change.cause.edge} wall`);
      else expect(findNamed(scene, answer)).toBe(change.cause.with);
    }
  });
});
