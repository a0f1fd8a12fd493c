/** Reading families: the sign's text (OCR) and the counter's digits (numerical). */
import { type QuestionFamily } from './question-family.js';

/** "What does the sign at the top say?" — at the start or the end when the sign changes. */
export const readSign: QuestionFamily = {
  name: 'read-sign',
  skill: 'reading text',
  problemType: 'OCR',
  write({ facts, rng }) {
    const texts = facts.signTexts;
    if (texts.length === 1) {
      return {
        problem: 'What does the white sign at the top left of the video say?',
        options: [],
        answer: texts[0] ?? '',
      };
    }
    const atEnd = rng.chance(0.5);
    const text = atEnd ? texts.at(-1) : texts[0];
    if (text === undefined) return undefined;
    const when = atEnd ? 'at the end of the video' : 'at the start of the video';
    return { problem: `What does the white sign at the top left say ${when}?`, options: [], answer: text };
  },
};

/** "What number does the counter show at the end?" — the counter counts collisions. */
export const readCounter: QuestionFamily = {
  name: 'read-counter',
  skill: 'reading text',
  problemType: 'numerical',
  write({ facts }) {
    const last = facts.scene.frames.at(-1);
    if (last === undefined) return undefined;
    return {
      problem: 'What number does the yellow counter at the top right show at the end of the video?',
      options: [],
      answer: String(last.counter),
    };
  },
};
