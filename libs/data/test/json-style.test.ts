import { describe, expect, it } from 'vitest';
import { formatSamples, parseSamples, type VideoSample } from '@vrft/data';

// Expected texts below are what Python 3's json.dumps prints for the same values (checked once
// against CPython: ensure_ascii escapes everything outside 0x20–0x7e).
const SAMPLE: VideoSample = {
  problem_id: 1,
  problem: 'tab\there, quote " and backslash \\, bell \u0007, del \u007f, é, 😀',
  data_type: 'video',
  problem_type: 'free-form',
  solution: '<answer>ok</answer>',
  path: './a.mp4',
  data_source: '',
};

describe('Python-compatible JSON text', () => {
  it('escapes like ensure_ascii=True by default', () => {
    const line = formatSamples([SAMPLE], { format: 'jsonl' });
    expect(line).toContain(
      '"problem": "tab\\there, quote \\" and backslash \\\\, bell \\u0007, del \\u007f, \\u00e9, \\ud83d\\ude00"',
    );
    expect(parseSamples(line, { kind: 'rl' })).toEqual([SAMPLE]);
  });

  it('writes raw UTF-8 like ensure_ascii=False when asked', () => {
    const line = formatSamples([SAMPLE], { format: 'jsonl', escapeNonAscii: false });
    expect(line).toContain('"problem": "tab\\there, quote \\" and backslash \\\\, bell \\u0007, del \u007f, é, 😀"');
  });

  it('escapes lone surrogates in both modes so the output stays valid UTF-8', () => {
    const odd = { ...SAMPLE, note: 'half \ud83d' };
    expect(formatSamples([odd], { format: 'jsonl', escapeNonAscii: false })).toContain('"note": "half \\ud83d"');
  });

  it('lays out nested extras as json.dump(indent=4) does', () => {
    const nested = { ...SAMPLE, problem: 'p', meta: { a: [1, { b: [] }], c: {}, d: null, e: false, f: -2.5 } };
    const text = formatSamples([nested], { format: 'json' });
    expect(text).toContain(
      [
        '        "meta": {',
        '            "a": [',
        '                1,',
        '                {',
        '                    "b": []',
        '                }',
        '            ],',
        '            "c": {},',
        '            "d": null,',
        '            "e": false,',
        '            "f": -2.5',
        '        }',
        '    }',
        ']',
      ].join('\n'),
    );
    expect(text.startsWith('[\n    {\n        "problem_id": 1,\n')).toBe(true);
    expect(parseSamples(text, { kind: 'rl' })).toEqual([nested]);
  });

  it('refuses values with no JSON form', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => formatSamples([{ ...SAMPLE, cyclic }], { format: 'jsonl' })).toThrow(
      /\$\.cyclic\.self: the value contains itself/,
    );
    expect(() => formatSamples([{ ...SAMPLE, when: new Date(0) }], { format: 'jsonl' })).toThrow(/only plain objects/);
    expect(() => formatSamples([{ ...SAMPLE, n: Number.NaN }], { format: 'jsonl' })).toThrow(/NaN has no JSON form/);
    expect(() => formatSamples([{ ...SAMPLE, list: [1, undefined] }], { format: 'jsonl' })).toThrow(/\$\.list\[1\]/);
  });
});
