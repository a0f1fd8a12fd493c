/**
 * Visual claims of a chain of thought, found in its sentences: an object of a colour and shape
 * is present (at a time), moves in a direction, changes colour, the sign reads some text, the
 * counter shows a number, there are N objects of a shape. Each claim remembers its sentence and
 * the words that state it, so a reviser can rewrite exactly those words. "It" refers to the last
 * object named.
 */
import { COLOUR_NAMES, SHAPE_NAMES } from '@vrft/data';
import { DIRECTION_NAMES, type DirectionName } from '../perception/geometry-words.js';

/** Where a claim sits: paragraph and sentence indices, and the exact words. */
export interface ClaimSpan {
  paragraph: number;
  sentence: number;
  words: string;
}

/** A checkable visual claim. `time` is seconds, absent when the claim is about the whole clip. */
export type Claim =
  | { kind: 'present'; colour: string; shape: string; time?: number; at: ClaimSpan }
  | {
      kind: 'moving';
      colour: string;
      shape: string;
      direction: DirectionName;
      time?: number;
      since?: number;
      at: ClaimSpan;
    }
  | { kind: 'turns'; colour: string; shape: string; to: string; time?: number; at: ClaimSpan }
  | { kind: 'sign'; text: string; time?: number; at: ClaimSpan }
  | { kind: 'counter'; value: number; time?: number; at: ClaimSpan }
  | { kind: 'count'; shape: string; value: number; at: ClaimSpan };

/** A chain of thought split into paragraphs of sentences (the unit a reviser rewrites). */
export type Sentences = string[][];

/** Splits text into paragraphs (blank lines) and sentences (after . ! ? followed by a space). */
export function splitSentences(text: string): Sentences {
  return text
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter((p) => p !== '')
    .map((p) => p.split(/(?<=[.!?])\s+(?=[A-Z"])/));
}

/** Joins sentences back into text. */
export function joinSentences(sentences: Sentences): string {
  return sentences
    .map((p) => p.filter((s) => s.trim() !== '').join(' '))
    .filter((p) => p !== '')
    .join('\n\n');
}

const COLOUR = `(${COLOUR_NAMES.join('|')})`;
const SHAPE = `(${SHAPE_NAMES.join('|')})`;
const DIRECTION = `(${[...DIRECTION_NAMES].sort((a, b) => b.length - a.length).join('|')})`;
const TIME_RE = /(\d+(?:\.\d+)?)\s*(?:s|sec|secs|seconds)\b/;
const NUMBER_WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten'];

/** Every claim of a chain of thought (see the file header). */
export function extractClaims(sentences: Sentences): Claim[] {
  const claims: Claim[] = [];
  let lastObject: { colour: string; shape: string; time?: number } | undefined;
  sentences.forEach((paragraph, p) => {
    paragraph.forEach((sentence, s) => {
      const at = (words: string): ClaimSpan => ({ paragraph: p, sentence: s, words });
      const timeMatch = TIME_RE.exec(sentence);
      const time = timeMatch ? Number(timeMatch[1]) : undefined;
      const mentions = [...sentence.matchAll(new RegExp(`\\b${COLOUR} ${SHAPE}\\b(?! that is)`, 'gi'))];
      for (const m of mentions) {
        const colour = (m[1] ?? '').toLowerCase();
        const shape = (m[2] ?? '').toLowerCase();
        // "X turns C" — a colour change: the present claim is about before, the turn about after.
        const turn = new RegExp(`^${m[0]}\\s+turns\\s+${COLOUR}`, 'i').exec(sentence.slice(m.index));
        if (turn?.[1]) {
          claims.push({
            kind: 'turns',
            colour,
            shape,
            to: turn[1].toLowerCase(),
            ...(time !== undefined ? { time } : {}),
            at: at(turn[0]),
          });
        } else {
          claims.push({ kind: 'present', colour, shape, ...(time !== undefined ? { time } : {}), at: at(m[0]) });
        }
        lastObject = { colour, shape, ...(time !== undefined ? { time } : {}) };
      }
      const direction = new RegExp(
        `\\b(?:moved|moving|moves|heads|heading|travels|travelling)\\s+${DIRECTION}`,
        'i',
      ).exec(sentence);
      const subject = mentions.length === 1 ? lastObject : /\bit\b/i.test(sentence) ? lastObject : undefined;
      if (direction?.[1] && subject) {
        const since = subject.time !== undefined && subject.time !== time ? subject.time : undefined;
        claims.push({
          kind: 'moving',
          colour: subject.colour,
          shape: subject.shape,
          direction: direction[1].toLowerCase() as DirectionName,
          ...(time !== undefined ? { time } : {}),
          ...(since !== undefined ? { since } : {}),
          at: at(direction[1]),
        });
      }
      const sign = /sign[^".]*?(?:reads|says|shows)\s+"([^"]+)"/i.exec(sentence);
      if (sign?.[1])
        claims.push({ kind: 'sign', text: sign[1], ...(time !== undefined ? { time } : {}), at: at(sign[1]) });
      const counter = /counter[^.]*?(?:shows|reads|ends at)\s+(\d+)/i.exec(sentence);
      if (counter?.[1]) {
        claims.push({
          kind: 'counter',
          value: Number(counter[1]),
          ...(time !== undefined ? { time } : {}),
          at: at(counter[1]),
        });
      }
      const count = new RegExp(`\\b(?:count|are|see)\\s+(\\d+|${NUMBER_WORDS.join('|')})\\s+${SHAPE}s\\b`, 'i').exec(
        sentence,
      );
      if (count?.[1] && count[2]) {
        const value = /^\d+$/.test(count[1]) ? Number(count[1]) : NUMBER_WORDS.indexOf(count[1].toLowerCase());
        claims.push({ kind: 'count', shape: count[2].toLowerCase(), value, at: at(count[1]) });
      }
    });
  });
  return claims;
}
