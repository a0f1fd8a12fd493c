import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDataset, readSamples, type VideoSample } from '@vrft/data';
import {
  CurationOptionsError,
  filterSample,
  parseCurateOptions,
  runCuration,
  type CurateProgress,
} from '@vrft/curation';
import { startFakeOpenAi } from './support/openai-server.js';

let root = '';
let data = '';
let encoded = '';
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'vrft-curate-'));
  data = join(root, 'data');
  encoded = join(root, 'encoded');
  await generateDataset({ outDir: data, count: 6, seed: 100, encode: false });
  await generateDataset({ outDir: encoded, count: 3, seed: 200, encode: true });
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function lines(path: string): Promise<string[]> {
  return (await readFile(path, 'utf8')).split('\n').filter((l) => l !== '');
}

describe('runCuration', () => {
  it('takes every sample through the four stages and writes SFT, RL and a consistent report', async () => {
    const out = join(root, 'full');
    const events: CurateProgress[] = [];
    const report = await runCuration({ dataDir: data, outDir: out, concurrency: 2, onProgress: (p) => events.push(p) });
    const samples = await readSamples(join(data, 'train.jsonl'), { kind: 'rl' });
    const { totals } = report;
    expect(totals.samples).toBe(samples.length);
    expect(totals.kept + totals.dropped + totals.failed).toBe(totals.samples);
    expect(totals.failed).toBe(0);
    expect(totals.kept).toBeGreaterThan(0);
    for (const field of ['samples', 'kept', 'dropped', 'drafted'] as const) {
      expect(Object.values(report.byProblemType).reduce((n, c) => n + c[field], 0)).toBe(totals[field]);
    }
    expect(Object.values(report.drops).reduce((n, v) => n + v, 0)).toBe(totals.dropped);
    expect(report.claims.checked).toBeGreaterThan(0);
    // One describe record per clip, one record per sample in the other stages.
    expect(await lines(join(out, 'stages/describe.jsonl'))).toHaveLength(6);
    for (const stage of ['draft', 'revise', 'filter'])
      expect(await lines(join(out, `stages/${stage}.jsonl`))).toHaveLength(samples.length);
    const sft = await readSamples(join(out, 'sft.jsonl'), { kind: 'sft' });
    expect(sft).toHaveLength(totals.kept);
    for (const s of sft) expect(s.process).toMatch(/^<think>[\s\S]+<\/think>$/);
    const rl = await readSamples(join(out, 'rl.jsonl'), { kind: 'rl' });
    expect(rl.map((s) => s.problem_id)).toEqual(samples.map((s) => s.problem_id));
    expect(rl.every((s) => s.process === undefined)).toBe(true);
    const markdown = await readFile(join(out, 'report.md'), 'utf8');
    expect(markdown).toContain(`| **all** | ${totals.samples} |`);
    expect(JSON.parse(await readFile(join(out, 'report.json'), 'utf8'))).toMatchObject({ totals });
    expect(events.at(-1)).toMatchObject({ done: samples.length, total: samples.length, kept: totals.kept });
    expect(events.every((e) => e.rate >= 0)).toBe(true);
    // The work directory belongs to this run: other settings or other samples are refused.
    await expect(runCuration({ dataDir: data, outDir: out, writing: { seed: 9 } })).rejects.toThrow(
      /outDir: .*other stage settings/,
    );
    await expect(runCuration({ dataDir: encoded, outDir: out })).rejects.toThrow(/outDir: .*other samples/);
  });

  it('decodes real mp4 clips through ffmpeg when the dataset has them', async () => {
    const report = await runCuration({ dataDir: encoded, outDir: join(root, 'encoded-out') });
    expect(report.totals.failed).toBe(0);
    expect(report.totals.described).toBe(report.totals.samples);
  });

  it('resumes: a second run skips finished samples and ends with the same outputs as one uninterrupted run', async () => {
    const once = join(root, 'once');
    const twice = join(root, 'twice');
    await runCuration({ dataDir: data, outDir: once });
    const first = await runCuration({ dataDir: data, outDir: twice, limit: 5 });
    expect(first.totals.samples).toBe(5);
    const second = await runCuration({ dataDir: data, outDir: twice });
    expect(second.resumed).toBe(5);
    for (const stage of ['draft', 'revise', 'filter']) {
      const ids = (await lines(join(twice, `stages/${stage}.jsonl`))).map((l) => (JSON.parse(l) as { id: string }).id);
      expect(new Set(ids).size).toBe(ids.length);
    }
    expect(await readFile(join(twice, 'sft.jsonl'), 'utf8')).toBe(await readFile(join(once, 'sft.jsonl'), 'utf8'));
  });

  it('reports a sample whose remote call keeps failing, keeps the others, and retries it on request', async () => {
    const samples = await readSamples(join(data, 'train.jsonl'), { kind: 'rl' });
    const counts = new Map<string, number>();
    for (const s of samples) counts.set(s.problem, (counts.get(s.problem) ?? 0) + 1);
    const target = samples.find((s) => counts.get(s.problem) === 1) as VideoSample;
    let broken = true;
    const server = await startFakeOpenAi((request) => {
      const text = JSON.stringify(request.body.messages);
      if (broken && text.includes(JSON.stringify(target.problem).slice(1, -1)))
        return { status: 500, body: '{"error":"overloaded"}' };
      return { content: '<think>I watch the whole clip, then answer.</think>\n<answer>A</answer>' };
    });
    try {
      const out = join(root, 'remote');
      const remote = { endpoint: server.url, model: 'reasoner', maxRetries: 2, backoffMs: 1, requestsPerSecond: 500 };
      const report = await runCuration({ dataDir: data, outDir: out, writer: 'openai', remote });
      expect(report.stages.writer).toBe('openai:reasoner');
      expect(report.failures).toEqual([
        {
          id: String(target.problem_id),
          stage: 'draft',
          error: expect.stringContaining('HTTP 500') as unknown as string,
          kind: 'http',
          attempts: 3,
        },
      ]);
      expect(report.totals.failed).toBe(1);
      expect(report.totals.kept + report.totals.dropped).toBe(samples.length - 1);
      expect(report.remote?.failures).toBe(1);
      const sft = await readSamples(join(out, 'sft.jsonl'), { kind: 'sft' });
      expect(sft.some((s) => s.problem_id === target.problem_id)).toBe(false);
      // Without --retry-failed a rerun leaves the failure as it is; with it, the sample goes through.
      broken = false;
      expect((await runCuration({ dataDir: data, outDir: out, writer: 'openai', remote })).totals.failed).toBe(1);
      const retried = await runCuration({ dataDir: data, outDir: out, writer: 'openai', remote, retryFailed: true });
      expect(retried.totals.failed).toBe(0);
      expect(retried.resumed).toBe(samples.length - 1);
    } finally {
      await server.close();
    }
  });
});

describe('filter', () => {
  const think = '<think>I look.</think>\n';
  it('keeps right answers and drops wrong ones, with reasons', () => {
    expect(
      filterSample({ problem_type: 'multiple choice', solution: '<answer>B</answer>' }, `${think}<answer>B</answer>`),
    ).toMatchObject({ kept: true, score: 1 });
    expect(
      filterSample({ problem_type: 'multiple choice', solution: '<answer>B</answer>' }, `${think}<answer>C</answer>`),
    ).toMatchObject({ kept: false, reason: 'wrong-answer' });
    expect(
      filterSample({ problem_type: 'numerical', solution: '<answer>3</answer>' }, `${think}<answer>3</answer>`).kept,
    ).toBe(true);
    expect(
      filterSample({ problem_type: 'OCR', solution: '<answer>EXIT 12</answer>' }, `${think}<answer>EXIT 13</answer>`)
        .reason,
    ).toBe('wrong-answer');
    expect(
      filterSample({ problem_type: 'regression', solution: '<answer>2</answer>' }, `${think}<answer>2.1</answer>`).kept,
    ).toBe(true);
    expect(
      filterSample({ problem_type: 'regression', solution: '<answer>2</answer>' }, `${think}<answer>2.5</answer>`).kept,
    ).toBe(false);
    expect(
      filterSample({ problem_type: 'numerical', solution: '<answer>3</answer>' }, '<answer>3</answer>'),
    ).toMatchObject({ kept: false, reason: 'bad-format' });
  });

  it('drops open-ended answers below the similarity threshold (ROUGE by default, or a given function)', () => {
    const sample = {
      problem_type: 'free-form' as const,
      solution: '<answer>A red circle bounces off the left wall.</answer>',
    };
    expect(filterSample(sample, `${think}<answer>A red circle bounces off the left wall.</answer>`).kept).toBe(true);
    expect(filterSample(sample, `${think}<answer>Nothing at all here.</answer>`)).toMatchObject({
      kept: false,
      reason: 'low-similarity',
    });
    const strict = {
      freeFormMin: 0.5,
      ocrMin: 1,
      regressionMin: 0.9,
      similarity: (a: string, b: string) => (a.length === b.length ? 1 : 0),
    };
    expect(filterSample(sample, `${think}<answer>A red circle bounces off the lift wall.</answer>`, strict).kept).toBe(
      true,
    );
  });
});

describe('options', () => {
  it('name the bad field', () => {
    expect(() => parseCurateOptions({ dataDir: '', outDir: 'x' })).toThrow(/dataDir/);
    expect(() => parseCurateOptions({ dataDir: 'd', outDir: 'x', concurrency: 0 })).toThrow(/concurrency/);
    expect(() => parseCurateOptions({ dataDir: 'd', outDir: 'x', describer: 'gpt' as 'openai' })).toThrow(/describer/);
    expect(() => parseCurateOptions({ dataDir: 'd', outDir: 'x', writer: 'openai' })).toThrow(CurationOptionsError);
    expect(() => parseCurateOptions({ dataDir: 'd', outDir: 'x', perception: { sampleFps: 0 } })).toThrow(
      /perception.sampleFps/,
    );
    expect(() => parseCurateOptions({ dataDir: 'd', outDir: 'x', filter: { freeFormMin: 2 } })).toThrow(
      /filter.freeFormMin/,
    );
  });
});
