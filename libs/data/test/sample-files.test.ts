import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  formatSamples,
  parseSamples,
  readSamples,
  streamSamples,
  writeSamples,
  DataOptionsError,
  SampleFormatError,
  SampleValidationError,
  type VideoSample,
} from '@vrft/data';
import { fixturePath } from './fixture-paths.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vrft-data-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const SFT_JSON = fixturePath('sft-samples.json.txt');
const RL_JSONL = fixturePath('rl-samples.jsonl');

function makeSample(id: number): VideoSample {
  return {
    problem_id: id,
    problem: `How many balls are visible at second ${id % 60}?`,
    data_type: 'video',
    problem_type: 'numerical',
    options: [],
    solution: `<answer>${id % 7}</answer>`,
    path: `./synthetic/clips/${String(id).padStart(6, '0')}.mp4`,
    data_source: 'vrft-synthetic',
  };
}

describe('JSON files', () => {
  it('reads the SFT fixture with unicode and extra fields intact', async () => {
    const samples = await readSamples(SFT_JSON, { kind: 'sft' });
    expect(samples.map((s) => s.problem_id)).toEqual([1, 2, 'img-3']);
    expect(samples[0]?.options).toEqual(['A. a red cube', 'B. a blue sphere', 'C. a green cone', 'D. nothing moves']);
    expect(samples[1]?.render).toEqual({ seed: 17, fps: 8, lights: ['key', 'fill'], notes: {} });
    expect(samples[1]?.difficulty).toBe('easy');
    expect(samples[2]?.problem).toBe('What word is written on the café sign? — read it as shown 😀');
    expect(samples[2]?.path).toBe('./synthetic/images/café #3.png');
    expect(samples[2]?.options).toBeUndefined();
    expect(samples[2]?.process).toContain('“SÜD”');
  });

  it('writes a parsed file back byte for byte (4-space indent, ASCII escapes, no final newline)', async () => {
    const original = await readFile(SFT_JSON, 'utf8');
    const samples = await readSamples(SFT_JSON, { kind: 'sft' });
    expect(formatSamples(samples, { format: 'json', kind: 'sft' })).toBe(original);
    const out = join(dir, 'sft-copy.json');
    expect(await writeSamples(out, samples, { kind: 'sft' })).toBe(3);
    expect(await readFile(out, 'utf8')).toBe(original);
  });

  it('round-trips through raw UTF-8 output and keeps the records equal', async () => {
    const samples = await readSamples(SFT_JSON, { kind: 'sft' });
    const out = join(dir, 'sft-utf8.json');
    await writeSamples(out, samples, { kind: 'sft', escapeNonAscii: false, finalNewline: true, indent: 2 });
    const text = await readFile(out, 'utf8');
    expect(text).toContain('café #3.png"');
    expect(text).toContain('😀');
    expect(text).not.toContain('\\u00e9');
    expect(text.endsWith(']\n')).toBe(true);
    expect(text).toContain('\n  {\n    "problem_id": 1,');
    expect(await readSamples(out, { kind: 'sft' })).toEqual(samples);
    // Our own output is a fixed point of read → write.
    expect(
      formatSamples(await readSamples(out, { kind: 'sft' }), {
        format: 'json',
        kind: 'sft',
        escapeNonAscii: false,
        finalNewline: true,
        indent: 2,
      }),
    ).toBe(text);
  });

  it('writes an empty set as [] and reads it back', async () => {
    const out = join(dir, 'empty.json');
    expect(await writeSamples(out, [])).toBe(0);
    expect(await readFile(out, 'utf8')).toBe('[]');
    expect(await readSamples(out, { kind: 'rl' })).toEqual([]);
  });

  it('rejects a JSON file that is not an array, or not JSON', async () => {
    await expect(readSamples({ text: '{"a": 1}', name: 'x.json' }, { kind: 'rl', format: 'json' })).rejects.toThrow(
      /x\.json: expected a JSON array/,
    );
    await expect(readSamples({ text: '[{"a": 1},', name: 'y' }, { kind: 'rl' })).rejects.toBeInstanceOf(
      SampleFormatError,
    );
    await expect(readSamples({ text: 'problem_id,problem' }, { kind: 'rl' })).rejects.toThrow(
      /cannot tell JSON from JSONL/,
    );
  });
});

describe('JSONL files', () => {
  it('reads the RL fixture, embedded options and extra fields included', async () => {
    const samples = await readSamples(RL_JSONL, { kind: 'rl' });
    expect(samples).toHaveLength(3);
    expect(samples[0]?.options).toBeUndefined();
    expect(samples[0]?.problem).toContain('\nOptions:\nA. the cup');
    expect(samples[1]?.tags).toEqual(['physics', 'collapse']);
    expect(samples[1]?.weight).toBe(0.5);
    expect(samples[2]?.note).toBe('日本語のメモ éè');
  });

  it('writes a parsed file back byte for byte (Python spacing) and reads equal records', async () => {
    const original = await readFile(RL_JSONL, 'utf8');
    const samples = await readSamples(RL_JSONL, { kind: 'rl' });
    const out = join(dir, 'rl-copy.jsonl');
    await writeSamples(out, samples);
    expect(await readFile(out, 'utf8')).toBe(original);
    expect(await readSamples(out, { kind: 'rl' })).toEqual(samples);
  });

  it('writes compact spacing and raw UTF-8 when asked, one object per line', async () => {
    const samples = await readSamples(RL_JSONL, { kind: 'rl' });
    const text = formatSamples(samples, { format: 'jsonl', jsonlSpacing: 'compact', escapeNonAscii: false });
    const lines = text.split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[3]).toBe('');
    expect(lines[1]).toMatch(/^\{"problem_id":11,"problem":"Describe/);
    expect(lines[2]).toContain('"note":"日本語のメモ éè"');
    expect(parseSamples(text, { kind: 'rl' })).toEqual(samples);
  });

  it('accepts CRLF line ends, a BOM and blank lines, and counts lines as an editor does', async () => {
    const original = await readFile(RL_JSONL, 'utf8');
    const crlf = '\uFEFF' + original.split('\n').join('\r\n\r\n');
    const samples = await readSamples({ text: crlf }, { kind: 'rl' });
    expect(samples).toHaveLength(3);
    const broken = crlf.replace('"problem_id": 12', '"problem_id": "  "');
    await expect(readSamples({ text: broken }, { kind: 'rl' })).rejects.toThrow(/^text: line 5: field "problem_id"/);
  });

  it('sniffs the format of a file without a known extension', async () => {
    const copy = join(dir, 'rl-samples.data');
    await writeFile(copy, await readFile(RL_JSONL));
    expect(await readSamples(copy, { kind: 'rl' })).toHaveLength(3);
    const jsonCopy = join(dir, 'sft-samples.data');
    await writeFile(jsonCopy, await readFile(SFT_JSON));
    expect(await readSamples(jsonCopy, { kind: 'sft' })).toHaveLength(3);
    await expect(writeSamples(join(dir, 'out.data'), [])).rejects.toBeInstanceOf(DataOptionsError);
  });

  it('reports invalid UTF-8 and over-long lines as format errors', async () => {
    const bad = Uint8Array.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d, 0x0a]);
    const source = {
      chunks: (async function* () {
        yield bad;
      })(),
      name: 'bytes',
    };
    await expect(readSamples(source, { kind: 'rl', format: 'jsonl' })).rejects.toThrow(
      /bytes: invalid UTF-8 in line 1/,
    );
    const long = await readFile(RL_JSONL, 'utf8');
    await expect(readSamples({ text: long }, { kind: 'rl', maxLineChars: 100 })).rejects.toThrow(
      /line 1 is longer than maxLineChars \(100\)/,
    );
  });
});

describe('field order', () => {
  it('keeps each record’s own order by default and writes the public order on request', () => {
    const { solution, ...rest } = makeSample(5);
    const shuffled: VideoSample = { solution, extra: true, ...rest };
    const kept = formatSamples([shuffled], { format: 'jsonl' });
    expect(kept.startsWith('{"solution": "<answer>5</answer>", "extra": true, "problem_id": 5')).toBe(true);
    const canonical = formatSamples([shuffled], { format: 'jsonl', fieldOrder: 'canonical' });
    const keys = Object.keys(JSON.parse(canonical) as object);
    expect(keys).toEqual([
      'problem_id',
      'problem',
      'data_type',
      'problem_type',
      'options',
      'solution',
      'path',
      'data_source',
      'extra',
    ]);
  });
});

describe('writer checks', () => {
  it('refuses an invalid sample and leaves no file behind', async () => {
    const out = join(dir, 'refused.jsonl');
    const bad = { ...makeSample(2), path: '../outside.mp4' };
    await expect(writeSamples(out, [makeSample(1), bad])).rejects.toThrow(
      /index 1 \(problem_id 2\): field "path": expected a relative path starting "\.\/"/,
    );
    expect((await readdir(dir)).filter((f) => f.startsWith('refused'))).toEqual([]);
  });

  it('refuses extra fields that have no JSON form', () => {
    const odd = { ...makeSample(3), big: 10n };
    expect(() => formatSamples([odd], { format: 'json' })).toThrow(/\$\.big: a bigint has no JSON form/);
    expect(() => formatSamples([odd], { format: 'json' })).toThrow(SampleValidationError);
  });

  it('checks its options, naming the bad one', () => {
    expect(() => formatSamples([], { format: 'json', indent: 20 })).toThrow(
      /option "indent": expected an integer in \[0, 16\], got 20/,
    );
    expect(() => formatSamples([], { format: 'auto' })).toThrow(SampleFormatError);
    expect(() => formatSamples([], { format: 'jsonl', jsonlSpacing: 'tight' as 'compact' })).toThrow(
      /option "jsonlSpacing"/,
    );
  });
});

describe('large JSONL', () => {
  const COUNT = 50_000;
  const LINES_PER_CHUNK = 100;

  it('streams 50k lines from a lazy source, never pulling far ahead of the consumer', async () => {
    let linesProduced = 0;
    const encoder = new TextEncoder();
    async function* chunks(): AsyncGenerator<Uint8Array> {
      for (let start = 0; start < COUNT; start += LINES_PER_CHUNK) {
        const lines: string[] = [];
        for (let id = start; id < start + LINES_PER_CHUNK; id += 1) lines.push(JSON.stringify(makeSample(id)));
        linesProduced += LINES_PER_CHUNK;
        yield encoder.encode(lines.join('\n') + '\n');
      }
    }
    let received = 0;
    let outOfOrder = 0;
    let maxAhead = 0;
    for await (const sample of streamSamples({ chunks: chunks() }, { kind: 'rl' })) {
      if (sample.problem_id !== received) outOfOrder += 1;
      received += 1;
      maxAhead = Math.max(maxAhead, linesProduced - received);
    }
    expect(received).toBe(COUNT);
    expect(outOfOrder).toBe(0);
    // At most the chunk in hand is buffered: the source is pulled, not drained.
    expect(maxAhead).toBeLessThan(LINES_PER_CHUNK);
  });

  it('writes 50k samples from an async source to disk and streams them back', async () => {
    const out = join(dir, 'large.jsonl');
    async function* samples(): AsyncGenerator<VideoSample> {
      for (let id = 0; id < COUNT; id += 1) yield makeSample(id);
    }
    expect(await writeSamples(out, samples())).toBe(COUNT);
    let count = 0;
    let last: VideoSample | undefined;
    for await (const sample of streamSamples(out, { kind: 'rl' })) {
      count += 1;
      last = sample;
    }
    expect(count).toBe(COUNT);
    expect(last).toEqual(makeSample(COUNT - 1));
  });

  it('stops early without reading the rest', async () => {
    let first: VideoSample | undefined;
    for await (const sample of streamSamples(RL_JSONL, { kind: 'rl' })) {
      first = sample;
      break;
    }
    expect(first?.problem_id).toBe(10);
  });

  it('releases a stream source when the consumer stops early', async () => {
    let released = false;
    const text = await readFile(RL_JSONL, 'utf8');
    async function* chunks(): AsyncGenerator<string> {
      try {
        for (const line of text.split('\n')) yield line + '\n';
      } finally {
        released = true;
      }
    }
    for await (const sample of streamSamples({ chunks: chunks() }, { kind: 'rl' })) {
      expect(sample.problem_id).toBe(10);
      break;
    }
    expect(released).toBe(true);
  });
});
