/**
 * Dual-encoder retrieval benchmark: trains the encoder on (frame, description) pairs of the
 * synthetic world on this machine's tfjs backend, printing progress (loss, t, b, rate, ETA) and
 * held-out retrieval every --eval-every steps, then the untrained and trained retrieval table.
 *
 * Run: node tools/build.mjs && node libs/dual-encoder/dist/bench/retrieval.js [--steps N] [--batch B]
 *      [--clips N] [--frames-per-clip K] [--eval-clips N] [--eval-every N] [--seed S] [--lr X]
 *      [--difficulty easy|medium|hard] [--sizes JSON] [--options JSON]
 * (--sizes overrides encoder sizes, --options any TrainEncoderOptionsInput field, both as JSON.)
 */
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { type DirectionAccuracy, type RetrievalAccuracy } from '../retrieval.js';
import { type TrainEncoderOptionsInput } from '../train-options.js';
import { trainDualEncoder } from '../train-encoder.js';

/** Parses the command line into training options; throws naming a bad flag. */
export function parseBenchArgs(argv: readonly string[]): TrainEncoderOptionsInput {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      steps: { type: 'string' },
      batch: { type: 'string' },
      clips: { type: 'string' },
      'frames-per-clip': { type: 'string' },
      'eval-clips': { type: 'string' },
      'eval-every': { type: 'string' },
      seed: { type: 'string' },
      lr: { type: 'string' },
      difficulty: { type: 'string' },
      sizes: { type: 'string' },
      options: { type: 'string' },
    },
  });
  const number = (flag: string, value: string | undefined): number | undefined => {
    if (value === undefined) return undefined;
    const n = Number(value);
    if (!Number.isFinite(n)) throw new Error(`--${flag}: expected a number, got "${value}"`);
    return n;
  };
  const json = (flag: string, value: string | undefined): Record<string, unknown> => {
    if (value === undefined) return {};
    try {
      return JSON.parse(value) as Record<string, unknown>;
    } catch (cause) {
      throw new Error(`--${flag}: expected a JSON object`, { cause });
    }
  };
  const extra = json('options', values.options) as TrainEncoderOptionsInput;
  const lr = number('lr', values.lr);
  const input: Record<string, unknown> = {
    steps: number('steps', values.steps) ?? 300,
    batchSize: number('batch', values.batch),
    trainClips: number('clips', values.clips),
    framesPerClip: number('frames-per-clip', values['frames-per-clip']),
    evalClips: number('eval-clips', values['eval-clips']) ?? 100,
    evalEvery: number('eval-every', values['eval-every']) ?? 50,
    seed: number('seed', values.seed),
    difficulty: values.difficulty,
    ...extra,
    sizes: { ...extra.sizes, ...json('sizes', values.sizes) },
    optimizer: { ...extra.optimizer, ...(lr === undefined ? {} : { learningRate: lr }) },
  };
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) as TrainEncoderOptionsInput;
}

function formatDirection(d: DirectionAccuracy): string {
  return `${(d.top1 * 100).toFixed(0)} % / ${(d.top5 * 100).toFixed(0)} % / ${d.meanRank.toFixed(1)}`;
}

function formatRetrieval(r: RetrievalAccuracy): string {
  return `text→frame ${formatDirection(r.textToFrame)} | frame→text ${formatDirection(r.frameToText)}`;
}

/** Trains with the command line's options and prints progress and the retrieval table. */
export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  const options = parseBenchArgs(argv);
  console.log(`dual-encoder retrieval bench: ${JSON.stringify(options)}`);
  const trained = await trainDualEncoder(options, {
    logger: { info: (message) => console.log(message) },
    onProgress: (p) => {
      if (p.retrieval === undefined && p.step % 10 !== 0 && p.step !== p.steps) return;
      const head =
        `step ${p.step}/${p.steps} loss ${p.loss.toFixed(3)} t ${p.logitScale.toFixed(2)} b ${p.logitBias.toFixed(2)} ` +
        `lr ${p.learningRate.toExponential(2)} ${p.stepsPerSecond.toFixed(2)} steps/s ETA ${p.etaSec.toFixed(0)} s`;
      console.log(p.retrieval ? `${head}\n  held-out ${formatRetrieval(p.retrieval)}` : head);
    },
  });
  console.log(
    `${trained.trainPairs} training pairs, ${trained.retrieval.pairs} held-out pairs, backend ${trained.backend}, ` +
      `${trained.elapsedSec.toFixed(1)} s of training`,
  );
  console.log('| weights | text→frame top-1 / top-5 / mean rank | frame→text top-1 / top-5 / mean rank |');
  console.log('| --- | --- | --- |');
  for (const [label, r] of [
    ['untrained', trained.initialRetrieval],
    ['trained', trained.retrieval],
  ] as const) {
    console.log(`| ${label} | ${formatDirection(r.textToFrame)} | ${formatDirection(r.frameToText)} |`);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
