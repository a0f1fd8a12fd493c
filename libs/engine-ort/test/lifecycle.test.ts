import { mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { saveCheckpoint } from '@vrft/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrtEngine } from '../src/engine/ort-engine.js';
import {
  CheckpointLoadError,
  DeadlineExceededError,
  EngineError,
  ExecutionProviderError,
  QueueFullError,
  RequestCancelledError,
} from '../src/errors.js';
import { buildOnnxModels } from '../src/export/export-onnx.js';
import { WorkerPool } from '../src/worker/worker-pool.js';
import { createTestConfig, createTestTokenizer, createTestWeights } from './fixtures.js';
import { makeIds } from './ort-helpers.js';

const tokenizer = createTestTokenizer();
const config = createTestConfig(tokenizer);
const weightsV1 = createTestWeights(config, 1);
const weightsV2 = createTestWeights(config, 2);
const fast = { workers: 1, intraOpThreads: 1 } as const;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'engine-ort-life-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function greedy(promptIds: number[], maxNewTokens: number) {
  return { promptIds, sampling: { temperature: 0, maxNewTokens } };
}

describe('weights hot-swap', () => {
  it('finishes requests in flight on the old weights and serves new ones on the new weights', async () => {
    const engine = await OrtEngine.open(
      { kind: 'memory', config, weights: weightsV1, tokenizer, version: 'v1' },
      { ...fast, maxQueue: 1000 },
    );
    try {
      const prompts = [makeIds(5, 1), makeIds(7, 2), makeIds(4, 3)];
      const before = await engine.generate(prompts.map((p) => greedy(p, 40)));
      // Keep submitting while the swap loads v2; jobs accepted before the switch run on v1.
      let swapDone = false;
      const swap = engine.swapWeights({ kind: 'memory', config, weights: weightsV2, tokenizer, version: 'v2' });
      void swap.then(() => (swapDone = true));
      const inFlight: { job: ReturnType<OrtEngine['generate']>; settledAfterSwap: boolean }[] = [];
      while (!swapDone && inFlight.length < 200) {
        const entry = { job: engine.generate(prompts.map((p) => greedy(p, 40))), settledAfterSwap: false };
        void entry.job.then(() => (entry.settledAfterSwap = swapDone));
        inFlight.push(entry);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      const swapped = await swap;
      const after = await engine.generate(prompts.map((p) => greedy(p, 40)));
      const tokens = (r: { results: { completions: { tokenIds: number[] }[] }[] }) =>
        r.results.map((x) => x.completions[0]?.tokenIds);
      expect(swapped).toBe('v2');
      const done = await Promise.all(inFlight.map((entry) => entry.job));
      const onOld = done.filter((job) => job.version === 'v1');
      for (const job of onOld) expect(tokens(job)).toEqual(tokens(before));
      for (const job of done.filter((j) => j.version === 'v2')) expect(tokens(job)).toEqual(tokens(after));
      // Some v1 jobs were still running or queued when v2 took over, and they completed.
      expect(inFlight.some((entry, i) => entry.settledAfterSwap && done[i]?.version === 'v1')).toBe(true);
      expect(after.version).toBe('v2');
      expect(tokens(after)).not.toEqual(tokens(before));
      expect(engine.version).toBe('v2');
    } finally {
      await engine.close();
    }
  });

  it('keeps serving the current weights when loading the new ones fails', async () => {
    const engine = await OrtEngine.open({ kind: 'memory', config, weights: weightsV1, tokenizer, version: 'v1' }, fast);
    try {
      const error = await engine
        .swapWeights({ kind: 'checkpoint', dir: join(dir, 'missing') })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CheckpointLoadError);
      const { version, results } = await engine.generate([greedy(makeIds(3, 4), 3)]);
      expect(version).toBe('v1');
      expect(results[0]?.completions[0]?.tokenIds).toHaveLength(3);
    } finally {
      await engine.close();
    }
  });
});

describe('checkpoints', () => {
  it('serves a checkpoint directory', async () => {
    const path = join(dir, 'ok');
    await saveCheckpoint(path, { config, weights: weightsV1, tokenizer, metadata: { version: 'step-7' } });
    const engine = await OrtEngine.open({ kind: 'checkpoint', dir: path }, fast);
    try {
      expect(engine.version).toBe('step-7');
      const { results } = await engine.generate([greedy(makeIds(4, 5), 4)]);
      expect(results[0]?.completions[0]?.tokenIds.length).toBeGreaterThan(0);
    } finally {
      await engine.close();
    }
  });

  it('reports an unknown path as NOT_FOUND', async () => {
    const error = await OrtEngine.open({ kind: 'checkpoint', dir: join(dir, 'nope') }, fast).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CheckpointLoadError);
    expect((error as CheckpointLoadError).code).toBe('NOT_FOUND');
    expect((error as Error).message).toContain('nope');
  });

  it('reports a config that does not match the weights, naming the tensor', async () => {
    const path = join(dir, 'mismatch');
    await saveCheckpoint(path, { config, weights: weightsV1, tokenizer });
    const json = JSON.parse(await readFile(join(path, 'config.json'), 'utf8')) as Record<string, unknown>;
    await writeFile(join(path, 'config.json'), JSON.stringify({ ...json, mlpHidden: 32 }));
    const error = await OrtEngine.open({ kind: 'checkpoint', dir: path }, fast).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CheckpointLoadError);
    expect((error as EngineError).code).toBe('FAILED_PRECONDITION');
    expect((error as Error).message).toMatch(/mlp\.w1/);
  });

  it('reports a truncated weights file', async () => {
    const path = join(dir, 'truncated');
    await saveCheckpoint(path, { config, weights: weightsV1, tokenizer });
    await truncate(join(path, 'model.safetensors'), 2000);
    const error = await OrtEngine.open({ kind: 'checkpoint', dir: path }, fast).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CheckpointLoadError);
    expect((error as Error).message).toContain('model.safetensors');
  });
});

describe('worker pool', () => {
  const init = {
    source: { kind: 'bytes' as const, models: buildOnnxModels(config, weightsV1) },
    config,
    tokenizerJson: tokenizer.toJSONString(),
    sessions: {
      executionProvider: 'cpu' as const,
      intraOpThreads: 1,
      graphOptimization: 'all' as const,
      allowSpinning: false,
    },
    runner: { maxPrefillTokens: 4096, maxVisionClips: 4 },
    cacheBlock: 8,
  };
  const request = (promptIds: number[], maxNewTokens = 4) => ({
    promptIds,
    sampling: { temperature: 0, topP: 1, topK: 0, maxNewTokens, seed: 1n, stop: [] },
    seeds: [1n],
  });

  it('fails a sequence that the sessions refuse with its error and keeps the worker', async () => {
    const pool = await WorkerPool.start(init, { workers: 1, maxQueue: 4, maxBatchSize: 4 });
    try {
      // Unchecked ids reach onnxruntime, which refuses them: the call fails, the worker lives.
      const error = await pool.generate([request([1, config.vocabSize + 100])]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(EngineError);
      expect((error as EngineError).code).toBe('INTERNAL');
      const results = await pool.generate([request(makeIds(3, 1))]);
      expect(results[0]?.completions[0]?.tokenIds).toHaveLength(4);
      expect(pool.load).toBe(0);
    } finally {
      await pool.close();
    }
  });

  it('refuses calls beyond the batch slots and the queue bound with QueueFullError, at once', async () => {
    const pool = await WorkerPool.start(init, { workers: 1, maxQueue: 1, maxBatchSize: 2 });
    try {
      const running = [pool.generate([request(makeIds(3, 1), 30)]), pool.generate([request(makeIds(3, 2), 30)])];
      const queued = pool.generate([request(makeIds(3, 3), 30)]);
      expect(pool.running).toBe(2);
      expect(pool.queued).toBe(1);
      await expect(pool.generate([request(makeIds(3, 4))])).rejects.toBeInstanceOf(QueueFullError);
      await Promise.all([...running, queued]);
      expect(pool.load).toBe(0);
    } finally {
      await pool.close();
    }
  });

  it('frees the slot of a cancelled call for the next one in the queue', async () => {
    const pool = await WorkerPool.start(init, { workers: 1, maxQueue: 2, maxBatchSize: 1 });
    try {
      const controller = new AbortController();
      const long = pool.generate([request(makeIds(3, 1), 60)], { signal: controller.signal });
      const next = pool.generate([request(makeIds(3, 2), 4)]);
      expect(pool.queued).toBe(1);
      controller.abort(new Error('client went away'));
      await expect(long).rejects.toThrow('client went away');
      const [result] = await next;
      expect(result?.completions[0]?.tokenIds).toHaveLength(4);
      expect(pool.load).toBe(0);
    } finally {
      await pool.close();
    }
  });
});

describe('cancelling jobs', () => {
  const scoring = (count: number, seed: number) =>
    Array.from({ length: count }, (_, i) => ({ promptIds: makeIds(20, seed + i), completionIds: makeIds(30, i) }));

  it('drops a queued scoring job at once when cancelled, and stops a running one', async () => {
    const pool = await WorkerPool.start(
      {
        source: { kind: 'bytes' as const, models: buildOnnxModels(config, weightsV1) },
        config,
        tokenizerJson: tokenizer.toJSONString(),
        sessions: { executionProvider: 'cpu', intraOpThreads: 1, graphOptimization: 'all', allowSpinning: false },
        runner: { maxPrefillTokens: 512, maxVisionClips: 4 },
        cacheBlock: 8,
      },
      { workers: 1, maxQueue: 3, maxBatchSize: 4 },
    );
    try {
      const first = pool.run({ kind: 'score', requests: scoring(64, 1) });
      const controller = new AbortController();
      const queued = pool.run({ kind: 'score', requests: scoring(4, 2) }, { signal: controller.signal });
      expect(pool.load).toBe(2);
      controller.abort(new Error('gone'));
      await expect(queued).rejects.toThrow('gone');
      expect(pool.load).toBe(1); // its place is free before the running job ends
      // A job running in the worker: the caller is answered now, the worker stops between chunks.
      const stopper = new AbortController();
      const running = pool.run({ kind: 'score', requests: scoring(64, 3) }, { signal: stopper.signal });
      const results = await first;
      expect(results).toHaveLength(64);
      stopper.abort(new Error('stopped'));
      await expect(running).rejects.toThrow('stopped');
      const after = await pool.run({ kind: 'score', requests: scoring(2, 4) });
      expect(after[1]?.logprobs).toHaveLength(30);
      expect(pool.load).toBe(0);
    } finally {
      await pool.close();
    }
  });

  it('ends a scoring call past its deadline with DeadlineExceededError', async () => {
    const engine = await OrtEngine.open({ kind: 'memory', config, weights: weightsV1, tokenizer }, fast);
    try {
      const first = engine.score(scoring(64, 5));
      const late = engine.score(scoring(2, 6), { deadline: Date.now() + 1 });
      await expect(late).rejects.toBeInstanceOf(DeadlineExceededError);
      expect((await first).results).toHaveLength(64);
      const cancelled = new AbortController();
      cancelled.abort();
      await expect(engine.score(scoring(1, 7), { signal: cancelled.signal })).rejects.toBeInstanceOf(
        RequestCancelledError,
      );
      expect(engine.load).toBe(0);
    } finally {
      await engine.close();
    }
  });
});

describe('execution providers', () => {
  it('reports cuda as unavailable with a clear error when it is not installed', async () => {
    const error = await OrtEngine.open(
      { kind: 'memory', config, weights: weightsV1, tokenizer },
      { ...fast, executionProvider: 'cuda' },
    ).catch((e: unknown) => e);
    if (error instanceof OrtEngine) {
      await error.close(); // a machine with the CUDA provider installed
      return;
    }
    expect(error).toBeInstanceOf(ExecutionProviderError);
    expect((error as Error).message).toMatch(/cuda/);
  });
});
