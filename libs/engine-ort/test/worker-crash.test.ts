/**
 * A session worker that dies while its batch is decoding: the calls with a sequence on it fail
 * with WorkerCrashError instead of hanging, the pool replaces it, and the replacement samples
 * the same tokens for the same seeds. The worker is ended the way an operator ends a misbehaving
 * one (WorkerPool.terminateWorker: its thread exits), once every sequence is streaming tokens.
 */
import { describe, expect, it } from 'vitest';
import { WorkerCrashError } from '../src/errors.js';
import { buildOnnxModels } from '../src/export/export-onnx.js';
import { type GenerateResult, type PreparedGenerate } from '../src/runtime/requests.js';
import { type WorkerInit } from '../src/worker/protocol.js';
import { type CallDelta, WorkerPool } from '../src/worker/worker-pool.js';
import { createTestConfig, createTestTokenizer, createTestWeights } from './fixtures.js';
import { makeIds } from './ort-helpers.js';

const tokenizer = createTestTokenizer();
// A long context: the seeds below give completions of hundreds of tokens, so a sequence still
// has hundreds of steps to go when its worker is told to end (a message away).
const config = createTestConfig(tokenizer, 1024);
const MAX_NEW = 1000;
/** Tokens every sequence of the batch has streamed before its worker is ended. */
const CRASH_AFTER = 4;
/** Fewest tokens of the completions that must still be decoding when the worker ends. */
const LONG = 400;

const models = buildOnnxModels(config, createTestWeights(config, 3));
const init: WorkerInit = {
  source: { kind: 'bytes', models },
  config,
  tokenizerJson: tokenizer.toJSONString(),
  sessions: { executionProvider: 'cpu', intraOpThreads: 1, graphOptimization: 'all', allowSpinning: false },
  runner: { maxPrefillTokens: 4096, maxVisionClips: 4 },
  cacheBlock: 16,
};

/** A sampled (temperature 1) request with one sample per seed. */
function request(promptSeed: number, seeds: bigint[], maxNewTokens = MAX_NEW): PreparedGenerate {
  return {
    promptIds: makeIds(6, promptSeed),
    sampling: { temperature: 1, topP: 1, topK: 0, maxNewTokens, seed: undefined, stop: [] },
    seeds,
  };
}

function tokens(result: GenerateResult | undefined): number[][] | undefined {
  return result?.completions.map((completion) => completion.tokenIds);
}

/** The length of each completion of each result. */
function lengths(results: readonly GenerateResult[]): number[] {
  return results.flatMap((result) => result.completions.map((completion) => completion.tokenIds.length));
}

/**
 * Counts the tokens streamed per key and calls `crash` once, when each of `keys` has streamed
 * CRASH_AFTER: every sequence is then past its prefill and mid-decode.
 */
function crashMidBatch(keys: number, keyOf: (delta: CallDelta) => number, crash: () => Promise<boolean>) {
  const streamed = new Array<number>(keys).fill(0);
  const state: { streamed: number[]; crashed?: Promise<boolean> } = { streamed };
  const onDelta = (delta: CallDelta): void => {
    const key = keyOf(delta);
    streamed[key] = (streamed[key] ?? 0) + delta.tokenIds.length;
    if (!state.crashed && streamed.every((n) => n >= CRASH_AFTER)) state.crashed = crash();
  };
  return { state, onDelta };
}

describe('a session worker dying mid-batch', () => {
  it('fails the call decoding on it, and its replacement serves the waiting call and the same tokens', async () => {
    const pool = await WorkerPool.start(init, { workers: 1, maxQueue: 4, maxBatchSize: 2 });
    try {
      const victim = request(2, [23n, 26n]);
      const queued = request(2, [21n], 12);
      const [before] = await pool.generate([victim]);
      const [queuedBefore] = await pool.generate([queued]);
      // Both samples are long: they are still decoding when the worker is ended.
      for (const n of lengths([before as GenerateResult])) expect(n).toBeGreaterThan(LONG);
      const old = pool.workers[0]?.threadId as number;

      const { state, onDelta } = crashMidBatch(
        2,
        (d) => d.sample,
        () => pool.terminateWorker(old),
      );
      const running = pool.generate([victim], { onDelta });
      const waiting = pool.generate([queued]);
      expect(pool.queued).toBe(1); // the batch is full: it waits for a slot

      const error = await running.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WorkerCrashError);
      expect((error as WorkerCrashError).code).toBe('INTERNAL');
      expect((error as Error).message).toMatch(/a session worker died/);
      expect(await state.crashed).toBe(true);
      state.streamed.forEach((n, sample) => {
        expect(n).toBeGreaterThanOrEqual(CRASH_AFTER);
        expect(n).toBeLessThan(before?.completions[sample]?.tokenIds.length as number);
      });
      // The replacement is there at once (still creating its sessions): the pool keeps its size.
      const [replacement] = pool.workers;
      expect(pool.workers).toHaveLength(1);
      expect(replacement?.threadId).not.toBe(old);

      // The waiting call runs on the replacement, and so does the same seeded request again.
      expect(tokens((await waiting)[0])).toEqual(tokens(queuedBefore));
      const [after] = await pool.generate([victim]);
      expect(tokens(after)).toEqual(tokens(before));
      expect(pool.load).toBe(0);
      expect(pool.workers).toEqual([{ threadId: replacement?.threadId, running: 0, ready: true }]);
    } finally {
      await pool.close();
    }
  });

  it('fails only the calls with a sequence on it; the other worker decodes on and frees the slots', async () => {
    const pool = await WorkerPool.start(init, { workers: 2, maxQueue: 4, maxBatchSize: 2 });
    try {
      // One sample each: the spanning call puts one sequence on each worker.
      const spanning = [request(4, [42n]), request(7, [73n])];
      const onVictim = request(5, [55n]);
      const onSurvivor = request(6, [62n]);
      const all = [...spanning, onVictim, onSurvivor];
      const before = await pool.generate(all);
      for (const n of lengths(before)) expect(n).toBeGreaterThan(LONG);
      const started = pool.workers.map((w) => w.threadId);

      let victim = 0;
      const { state, onDelta } = crashMidBatch(
        2,
        (d) => d.request,
        () => pool.terminateWorker(victim),
      );
      const spanned = pool.generate(spanning, { onDelta });
      expect(pool.workers.map((w) => w.running)).toEqual([1, 1]);
      const doomed = pool.generate([onVictim]);
      // The worker that took it is the one to end; the last free slot is on the other one.
      victim = pool.workers.find((w) => w.running === 2)?.threadId as number;
      const spared = pool.generate([onSurvivor]);
      expect(pool.workers.map((w) => w.running)).toEqual([2, 2]);

      const [spannedOut, doomedOut, sparedOut] = await Promise.allSettled([spanned, doomed, spared]);
      expect(await state.crashed).toBe(true);
      for (const out of [spannedOut, doomedOut]) {
        expect(out?.status).toBe('rejected');
        expect(out?.status === 'rejected' && out.reason).toBeInstanceOf(WorkerCrashError);
      }
      expect(sparedOut?.status === 'fulfilled' && tokens(sparedOut.value[0])).toEqual(tokens(before[3]));

      // Every slot is free again (the survivor held one sequence of the failed call), both workers
      // serve, and the seeds give the tokens they gave before.
      const after = await pool.generate(all);
      expect(after.map((r) => tokens(r))).toEqual(before.map((r) => tokens(r)));
      expect(pool.load).toBe(0);
      const threads = pool.workers.map((w) => w.threadId);
      expect(threads).toHaveLength(2);
      expect(threads).not.toContain(victim);
      expect(threads).toContain(started.find((id) => id !== victim));
      expect(pool.workers.every((w) => w.ready)).toBe(true);
    } finally {
      await pool.close();
    }
  });

  it('lets a closing pool finish the call it accepted', async () => {
    const pool = await WorkerPool.start(init, { workers: 1, maxQueue: 4, maxBatchSize: 1 });
    const long = request(1, [20n]);
    const queued = request(8, [81n], 12);
    const [before] = await pool.generate([queued]);
    expect(lengths(await pool.generate([long]))[0]).toBeGreaterThan(LONG);
    const old = pool.workers[0]?.threadId as number;
    const { state, onDelta } = crashMidBatch(
      1,
      () => 0,
      () => pool.terminateWorker(old),
    );
    const running = pool.generate([long], { onDelta });
    const waiting = pool.generate([queued]);
    const closed = pool.close(); // waits for both calls
    await expect(running).rejects.toBeInstanceOf(WorkerCrashError);
    expect(await state.crashed).toBe(true);
    // The call waiting for a slot still runs, on a replacement, and then the pool closes.
    expect(tokens((await waiting)[0])).toEqual(tokens(before));
    await closed;
    expect(pool.workers).toEqual([]);
    expect(await pool.terminateWorker(old)).toBe(false);
  });
});

describe('stopping session workers', () => {
  it('stops the workers still creating their sessions when another one fails to start', async () => {
    // A decode graph that onnxruntime cannot parse: every worker fails, each at its own time, and
    // the first failure stops the others, which may be inside a native session creation then
    // (Worker.terminate() there would abort the test process).
    const broken: WorkerInit = {
      ...init,
      source: { kind: 'bytes', models: { ...models, decode: new Uint8Array(64) } },
    };
    for (let round = 0; round < 3; round++) {
      const error = await WorkerPool.start(broken, { workers: 4, maxQueue: 1, maxBatchSize: 1 }).catch(
        (e: unknown) => e,
      );
      expect((error as Error).message).toMatch(/protobuf parsing failed/);
    }
  });
});
