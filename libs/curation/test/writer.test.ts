import { describe, expect, it } from 'vitest';
import {
  QUESTION_FAMILIES,
  generateClip,
  parseSyntheticOptions,
  toProblemType,
  toVideoSamples,
  writeQuestionOfFamily,
  simulateWorld,
} from '@vrft/data';
import { scoreAccuracy } from '@vrft/rewards';
import { parseQuestion, perceiveClip, writeDraft } from '@vrft/curation';
import { frameSetOfScene } from './support/scene-oracle.js';

const GIVEAWAYS =
  /\b(description|representation|caption|json|annotation|observations? (?:list|given)|the text says|i was told|according to the notes)\b/i;

describe('built-in writer', () => {
  it('recognises every question family of the synthetic benchmark', () => {
    const options = parseSyntheticOptions({ difficulty: 'medium' });
    const seen = new Set<string>();
    for (let seed = 0; seed < 40; seed += 1) {
      const scene = simulateWorld(seed, options.world);
      for (const family of QUESTION_FAMILIES) {
        const question = writeQuestionOfFamily(scene, family, options.questions.closeness);
        if (!question) continue;
        const intent = parseQuestion(question.problem);
        expect(intent.kind, question.problem).toBe(family.name === 'describe-clip' ? 'describe' : family.name);
        seen.add(family.name);
      }
    }
    expect(seen.size).toBe(QUESTION_FAMILIES.length);
  });

  it('writes five-stage, well-formed, varied drafts that never reveal their text source, and answers mostly right', () => {
    const options = parseSyntheticOptions({ questions: { questionsPerClip: 3 } });
    const openings = new Set<string>();
    let total = 0;
    let score = 0;
    for (let seed = 0; seed < 16; seed += 1) {
      const clip = generateClip('train', seed, options);
      const rep = perceiveClip(frameSetOfScene(clip.scene));
      for (const sample of toVideoSamples(clip)) {
        const draft = writeDraft(sample, rep);
        expect(draft.text).toMatch(/^<think>[\s\S]+<\/think>\n<answer>[\s\S]+<\/answer>$/);
        const think = /<think>([\s\S]*)<\/think>/.exec(draft.text)?.[1] ?? '';
        expect(think.split('\n\n')).toHaveLength(5);
        // The second stage quotes the question before restating it (see write-draft.ts).
        expect(think.split('\n\n')[1]).toContain(`"${sample.problem.trim()}"`);
        expect(think).not.toMatch(GIVEAWAYS);
        // The last stage states the answer itself, for free-form too, so <answer> copies it.
        expect(think.split('\n\n')[4]).toContain(draft.answer);
        openings.add(think.split('.')[0] ?? '');
        // Deterministic: the same sample and seed give the same text; another seed may differ.
        expect(writeDraft(sample, rep).text).toBe(draft.text);
        total += 1;
        score += scoreAccuracy(toProblemType(sample.problem_type), draft.text, sample.solution).value;
      }
    }
    console.log(
      `writer: mean accuracy of drafts ${(score / total).toFixed(3)} over ${total} samples; ${openings.size} distinct openings`,
    );
    expect(openings.size).toBeGreaterThanOrEqual(3);
    expect(score / total).toBeGreaterThan(0.6);
    expect(score / total).toBeLessThan(1); // answers come from imperfect perception
  });

  it('derives its answer from what was perceived: a perception error changes the answer', () => {
    const options = parseSyntheticOptions({ questions: { families: ['read-counter'], questionsPerClip: 1 } });
    const clip = generateClip('train', 5, options);
    const sample = toVideoSamples(clip)[0];
    if (!sample) throw new Error('no sample');
    const rep = perceiveClip(frameSetOfScene(clip.scene));
    const honest = writeDraft(sample, rep);
    const last = rep.frames.at(-1);
    const counter = last?.texts.find((t) => t.role === 'counter');
    if (!counter) throw new Error('counter not read');
    counter.text = String(Number(counter.text) + 5);
    const misled = writeDraft(sample, rep);
    expect(misled.answer).toBe(String(Number(honest.answer) + 5));
  });
});
