import { describe, expect, it } from 'vitest';
import { buildInputSequence, InputSequenceError } from '../src/index.js';
import { createTestTokenizer } from './fixtures.js';

const tokenizer = createTestTokenizer();
const video = tokenizer.specialId('video');
const bos = tokenizer.specialId('bos');

describe('buildInputSequence', () => {
  it('expands <video> to the visual positions after <bos>', () => {
    const sequence = buildInputSequence(tokenizer, 'Look: <video>\nhow many balls?', 5);
    expect(sequence.textTokenIds[0]).toBe(bos);
    expect(sequence.videoTokenIndex).toBe(sequence.textTokenIds.indexOf(video));
    expect(sequence.videoStart).toBe(sequence.videoTokenIndex);
    expect(sequence.tokenIds.length).toBe(sequence.textTokenIds.length - 1 + 5);
    expect(sequence.tokenIds.slice(sequence.videoStart, sequence.videoStart + 5)).toEqual(new Array(5).fill(video));
    const after = sequence.textTokenIds.slice(sequence.videoTokenIndex + 1);
    expect(sequence.tokenIds.slice(sequence.videoStart + 5)).toEqual(after);
    expect(tokenizer.decode(sequence.textTokenIds)).toBe('<bos>Look: <video>\nhow many balls?');
  });

  it('handles text-only prompts and rejects mismatches', () => {
    const text = buildInputSequence(tokenizer, 'no video here', 0, { addBos: false });
    expect(text.videoStart).toBe(-1);
    expect(text.tokenIds).toEqual(tokenizer.encode('no video here'));
    expect(() => buildInputSequence(tokenizer, 'no video here', 4)).toThrow(/no <video>/);
    expect(() => buildInputSequence(tokenizer, '<video> and <video>', 4)).toThrow(/2 <video> tokens/);
    expect(() => buildInputSequence(tokenizer, '<video>', 0)).toThrow(InputSequenceError);
    expect(() => buildInputSequence(tokenizer, '<video>', -1)).toThrow(/non-negative/);
    expect(() => buildInputSequence(tokenizer, '<video> x', 40, { maxLength: 32 })).toThrow(/limit 32/);
  });
});
