/** Argument parsing of `vrft curate`: flags → CurateOptions, with usage errors naming the flag. */
import { parseArgs } from 'node:util';
import { type CurateOptions, type StageBackend } from '@vrft/curation';

/** A bad command line; the message names the flag. */
export class CurateUsageError extends Error {
  override readonly name = 'CurateUsageError';
}

/** Usage text of `vrft curate`. */
export const CURATE_USAGE = `usage: vrft curate --data DIR --out DIR [options]

  --data DIR             dataset directory (from vrft data generate, or any Video-R1 JSONL + media)
  --out DIR              work and output directory (stages/*.jsonl, sft.jsonl, rl.jsonl, report.json/md)
  --samples FILE         samples JSONL, relative to --data (default train.jsonl)
  --limit N              curate only the first N samples
  --describer B          builtin | openai (default builtin: a perception pass over the pixels)
  --writer B             builtin | openai (default builtin: a deterministic five-stage writer)
  --reviser B            builtin | openai (default builtin: claims checked against the frames)
  --endpoint URL         OpenAI-compatible base URL, e.g. http://127.0.0.1:8000/v1
  --model NAME           model name sent to the endpoint
  --api-key-env NAME     environment variable holding the API key (default OPENAI_API_KEY)
  --concurrency K        samples in flight (default 2)
  --timeout-ms MS        per-request timeout of remote calls (default 60000)
  --retries N            retries per remote call (default 3)
  --rps R                remote requests per second (default 4)
  --frames video|scene   decode the clip files (default) or render the scene files
  --seed S               seed of the built-in writer's wording (default 0)
  --browse-moments N     moments the built-in writer describes while browsing (default 4;
                         fewer gives shorter chains of thought, for small models)
  --retry-failed         run again the samples an earlier run recorded as failed
  --progress-seconds S   seconds between progress lines (default 2)
`;

function integer(flag: string, text: string | undefined, min: number): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < min)
    throw new CurateUsageError(`${flag}: expected an integer ≥ ${min}, got "${text}"`);
  return value;
}

function positive(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0)
    throw new CurateUsageError(`${flag}: expected a positive number, got "${text}"`);
  return value;
}

function backend(flag: string, text: string | undefined): StageBackend | undefined {
  if (text === undefined) return undefined;
  if (text !== 'builtin' && text !== 'openai')
    throw new CurateUsageError(`${flag}: expected builtin or openai, got "${text}"`);
  return text;
}

/** Parses the arguments after `curate`; `env` supplies the API key variable. */
export function parseCurateArgs(
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): { options: CurateOptions; progressSeconds: number } {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: {
        data: { type: 'string' },
        out: { type: 'string' },
        samples: { type: 'string' },
        limit: { type: 'string' },
        describer: { type: 'string' },
        writer: { type: 'string' },
        reviser: { type: 'string' },
        endpoint: { type: 'string' },
        model: { type: 'string' },
        'api-key-env': { type: 'string', default: 'OPENAI_API_KEY' },
        concurrency: { type: 'string' },
        'timeout-ms': { type: 'string' },
        retries: { type: 'string' },
        rps: { type: 'string' },
        frames: { type: 'string' },
        seed: { type: 'string' },
        'browse-moments': { type: 'string' },
        'retry-failed': { type: 'boolean', default: false },
        'progress-seconds': { type: 'string', default: '2' },
      },
      strict: true,
    }));
  } catch (cause) {
    throw new CurateUsageError(cause instanceof Error ? cause.message : String(cause));
  }
  if (!values.data) throw new CurateUsageError('--data: required');
  if (!values.out) throw new CurateUsageError('--out: required');
  const describer = backend('--describer', values.describer);
  const writer = backend('--writer', values.writer);
  const reviser = backend('--reviser', values.reviser);
  const remoteWanted = [describer, writer, reviser].includes('openai');
  if (remoteWanted && (!values.endpoint || !values.model)) {
    throw new CurateUsageError('--endpoint and --model: required when a stage is openai');
  }
  if (values.frames !== undefined && values.frames !== 'video' && values.frames !== 'scene') {
    throw new CurateUsageError(`--frames: expected video or scene, got "${values.frames}"`);
  }
  const apiKey = env[values['api-key-env']];
  const timeoutMs = integer('--timeout-ms', values['timeout-ms'], 1);
  const maxRetries = integer('--retries', values.retries, 0);
  const requestsPerSecond = positive('--rps', values.rps);
  const limit = integer('--limit', values.limit, 1);
  const concurrency = integer('--concurrency', values.concurrency, 1);
  const seed = integer('--seed', values.seed, 0);
  const browseMoments = integer('--browse-moments', values['browse-moments'], 1);
  const options: CurateOptions = {
    dataDir: values.data,
    outDir: values.out,
    ...(values.samples ? { samples: values.samples } : {}),
    ...(limit !== undefined ? { limit } : {}),
    ...(concurrency !== undefined ? { concurrency } : {}),
    ...(describer ? { describer } : {}),
    ...(writer ? { writer } : {}),
    ...(reviser ? { reviser } : {}),
    ...(values.frames ? { frames: values.frames as 'video' | 'scene' } : {}),
    ...(seed !== undefined || browseMoments !== undefined
      ? {
          writing: {
            ...(seed !== undefined ? { seed } : {}),
            ...(browseMoments !== undefined ? { browseMoments } : {}),
          },
        }
      : {}),
    retryFailed: values['retry-failed'],
  };
  if (values.endpoint && values.model) {
    options.remote = {
      endpoint: values.endpoint,
      model: values.model,
      ...(apiKey ? { apiKey } : {}),
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
      ...(maxRetries !== undefined ? { maxRetries } : {}),
      ...(requestsPerSecond !== undefined ? { requestsPerSecond } : {}),
    };
  }
  const progressSeconds = Number(values['progress-seconds']);
  if (!Number.isFinite(progressSeconds) || progressSeconds < 0) {
    throw new CurateUsageError(`--progress-seconds: expected a number ≥ 0, got "${values['progress-seconds']}"`);
  }
  return { options, progressSeconds };
}
