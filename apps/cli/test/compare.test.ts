/**
 * `vrft train compare`: the paired difference and its standard error against values worked out by
 * hand, the table, and the errors for files that cannot be paired.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTrainCommand } from '../src/commands/train.command.js';
import { pairedDifference } from '../src/report/paired-comparison.js';
import { captureIo } from './capture-io.js';

let root = '';

/** A completions file as `vrft train eval --completions` writes it (the fields compare reads, and others). */
async function completions(
  name: string,
  scores: readonly (readonly [string, string, number, (string | null)?])[],
): Promise<string> {
  const path = join(root, `${name}.jsonl`);
  const lines = scores.map(([problemId, problemType, accuracy, answer = 'a']) =>
    JSON.stringify({
      problemId,
      problemType,
      problem: 'q',
      solution: 's',
      output: 'o',
      ...(answer === null ? {} : { answer }), // null: a file without answers
      accuracy,
      format: 1,
    }),
  );
  await writeFile(path, `${lines.join('\n')}\n`);
  return path;
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'vrft-compare-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('pairedDifference', () => {
  it('is the mean per-sample difference with sd/√n', () => {
    // d = (1, 0, −0.5, 0.5): mean 0.25, s² = (0.5625 + 0.0625 + 0.5625 + 0.0625)/3 = 0.41667, s.e. = √(s²/4) = 0.32275
    const result = pairedDifference([0, 1, 1, 0], [1, 1, 0.5, 0.5]);
    expect(result.samples).toBe(4);
    expect(result.difference).toBeCloseTo(0.25, 12);
    expect(result.standardError).toBeCloseTo(0.322749, 5);
  });

  it('has no standard error for one sample and refuses lists that do not pair', () => {
    expect(pairedDifference([0.2], [0.7]).standardError).toBeNaN();
    expect(() => pairedDifference([1, 0], [1])).toThrow(RangeError);
    expect(() => pairedDifference([], [])).toThrow(RangeError);
  });
});

describe('vrft train compare', () => {
  it('prints accuracy, Δ ± s.e. against the baseline and the per-type accuracy, pairing by problem id', async () => {
    const baseline = await completions('sft', [
      ['1', 'multiple choice', 0, 'A'],
      ['2', 'multiple choice', 1, 'A'],
      ['3', 'numerical', 1, '2'],
      ['4', 'numerical', 0, '3'],
    ]);
    // The same samples in another order: pairing goes by id, not by line.
    const candidate = await completions('grpo', [
      ['4', 'numerical', 0.5, '1'],
      ['3', 'numerical', 0.5, '1'],
      ['2', 'multiple choice', 1, 'A'],
      ['1', 'multiple choice', 1, 'B'],
    ]);
    const json = join(root, 'compare.json');
    const io = captureIo();
    expect(
      await runTrainCommand(['compare', '--baseline', baseline, candidate, '--label', 'SFT', '--json', json], io.io),
    ).toBe(0);
    const lines = io.out().trim().split('\n');
    expect(lines[0]).toMatch(
      /^completions\s+samples\s+accuracy\s+Δ vs baseline \(paired\)\s+multiple choice\s+numerical$/,
    );
    expect(lines[2]).toMatch(/^SFT\s+4\s+0\.5000\s+\(baseline\)\s+0\.500\s+0\.500$/);
    expect(lines[3]).toMatch(/^grpo\s+4\s+0\.7500\s+\+0\.250 ± 0\.323\s+1\.000\s+0\.500$/);
    // How concentrated the answers are: SFT gives A to both multiple-choice questions, grpo 1 to both numerical ones.
    expect(lines[4]).toBe('');
    expect(lines[5]).toMatch(/^most common answer’s share\s+multiple choice\s+numerical$/);
    expect(lines[7]).toMatch(/^SFT\s+1\.000\s+0\.500$/);
    expect(lines[8]).toMatch(/^grpo\s+0\.500\s+1\.000$/);
    const written = JSON.parse(await readFile(json, 'utf8')) as {
      label: string;
      vsBaseline?: { difference: number };
      byProblemType: Record<string, number>;
      topAnswerShare: Record<string, number>;
    }[];
    expect(written[1]?.topAnswerShare).toEqual({ 'multiple choice': 0.5, numerical: 1 });

    // Without the answers in a file the accuracy table stands alone.
    const noAnswers = await completions('no-answers', [
      ['1', 'multiple choice', 0, null],
      ['2', 'multiple choice', 1, null],
      ['3', 'numerical', 1, null],
      ['4', 'numerical', 0, null],
    ]);
    const plain = captureIo();
    expect(await runTrainCommand(['compare', '--baseline', noAnswers, candidate], plain.io)).toBe(0);
    expect(plain.out().trim().split('\n')).toHaveLength(4);
    expect(written.map((row) => row.label)).toEqual(['SFT', 'grpo']);
    expect(written[1]?.vsBaseline?.difference).toBeCloseTo(0.25, 12);
    expect(written[1]?.byProblemType['multiple choice']).toBe(1);
  });

  it('refuses files over different samples, broken lines and duplicate ids, with exit 1', async () => {
    const baseline = await completions('base', [
      ['1', 'numerical', 1],
      ['2', 'numerical', 0],
    ]);
    const fewer = await completions('fewer', [['1', 'numerical', 1]]);
    const more = await completions('more', [
      ['1', 'numerical', 1],
      ['2', 'numerical', 0],
      ['3', 'numerical', 0],
    ]);
    const twice = await completions('twice', [
      ['1', 'numerical', 1],
      ['1', 'numerical', 0],
    ]);
    const outOfRange = await completions('range', [
      ['1', 'numerical', 1.5],
      ['2', 'numerical', 0],
    ]);
    const broken = join(root, 'broken.jsonl');
    await writeFile(broken, '{"problemId": "1", "problemType": "numerical", "accuracy": 1}\n{"problemId": \n');
    const cases: [string, RegExp][] = [
      [fewer, /scored different samples \(1 of the baseline's missing, e\.g\. 2; 0 not in the baseline\)/],
      [more, /scored different samples \(0 of the baseline's missing; 1 not in the baseline\)/],
      [twice, /twice\.jsonl:2: problem 1 appears twice/],
      [outOfRange, /range\.jsonl:1: accuracy must be a number in \[0, 1\]/],
      [broken, /broken\.jsonl:2: not a JSON line/],
      [join(root, 'absent.jsonl'), /cannot read .*absent\.jsonl/],
    ];
    for (const [file, message] of cases) {
      const io = captureIo();
      expect(await runTrainCommand(['compare', '--baseline', baseline, file], io.io)).toBe(1);
      expect(io.err()).toMatch(message);
      expect(io.out()).toBe('');
    }
  });

  it('exits 64 on bad usage', async () => {
    const file = await completions('one', [['1', 'numerical', 1]]);
    for (const [args, message] of [
      [[file], /--baseline is required/],
      [['--baseline', file], /at least one completions file/],
      [['--baseline', file, file, '--label', 'a', '--label', 'b', '--label', 'c'], /3 labels for 2 files/],
      [['--baseline', file, file, '--bogus'], /bogus/],
    ] as const) {
      const io = captureIo();
      expect(await runTrainCommand(['compare', ...args], io.io)).toBe(64);
      expect(io.err()).toMatch(message);
    }
  });
});
