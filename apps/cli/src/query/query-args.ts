/** The arguments of `vrft query`: parsed and checked, each error naming the flag. */
import { parseArgs } from 'node:util';
import { type ProblemTypeName, type Question } from '@vrft/client';

/** A bad flag or value (exit code 64). */
export class QueryUsageError extends Error {
  override readonly name = 'QueryUsageError';
}

/** Usage text of `vrft query`. */
export const QUERY_USAGE = `usage: vrft query ADDRESS QUESTION [options]

  ADDRESS                 host:port of a reasoning-server
  QUESTION                the question about the video
  --video PATH            a local clip (inline when small, uploaded in chunks when large)
  --server-video URI      a clip the server reads itself (file:///… under its allowed roots)
  --frames N              frames sampled from the clip (default: the model's)
  --type TYPE             multiple choice | numerical | OCR | free-form | regression (default free-form)
  --option TEXT           an option such as "A. a red cube" (repeat for each)
  --temperature T         sampling temperature (0 = greedy)
  --top-p P, --top-k K    nucleus and top-k truncation
  --max-tokens N          most tokens to generate
  --seed S                same seed, same answer
  --stop TEXT             a stop sequence (repeatable)
  --no-stream             wait for the whole answer instead of printing it as it comes
  --json                  print the answer as JSON
  --token TOKEN           bearer token (or VRFT_TOKEN in the environment)
  --ca FILE               CA of a TLS server; --cert FILE --key FILE for mTLS
  --timeout-ms N          deadline of the call (default 120000)
`;

const PROBLEM_TYPES: readonly ProblemTypeName[] = ['multiple choice', 'numerical', 'OCR', 'free-form', 'regression'];

/** What `vrft query` was asked to do. */
export interface QueryArgs {
  readonly address: string;
  readonly question: Question;
  readonly stream: boolean;
  readonly json: boolean;
  readonly token: string | undefined;
  readonly tls: { caFile?: string; certFile?: string; keyFile?: string } | undefined;
  readonly timeoutMs: number;
}

function number(flag: string, text: string | undefined, integer: boolean, min: number): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isFinite(value) || value < min || (integer && !Number.isInteger(value))) {
    throw new QueryUsageError(`--${flag}: expected ${integer ? 'an integer' : 'a number'} ≥ ${min}, got "${text}"`);
  }
  return value;
}

/** Parses the arguments after `query`; throws QueryUsageError naming the bad flag. */
export function parseQueryArgs(args: readonly string[], env: Readonly<Record<string, string | undefined>>): QueryArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: {
        video: { type: 'string' },
        'server-video': { type: 'string' },
        frames: { type: 'string' },
        type: { type: 'string' },
        option: { type: 'string', multiple: true },
        temperature: { type: 'string' },
        'top-p': { type: 'string' },
        'top-k': { type: 'string' },
        'max-tokens': { type: 'string' },
        seed: { type: 'string' },
        stop: { type: 'string', multiple: true },
        'no-stream': { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        token: { type: 'string' },
        ca: { type: 'string' },
        cert: { type: 'string' },
        key: { type: 'string' },
        'timeout-ms': { type: 'string', default: '120000' },
      },
    });
  } catch (error) {
    throw new QueryUsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  const [address, question, ...extra] = positionals;
  if (!address || !question) throw new QueryUsageError('expected ADDRESS and QUESTION');
  if (extra.length > 0) throw new QueryUsageError(`unexpected argument "${extra[0]}" (quote the question)`);
  if (values.video && values['server-video']) throw new QueryUsageError('give --video or --server-video, not both');
  const type = values.type ?? 'free-form';
  if (!PROBLEM_TYPES.includes(type as ProblemTypeName)) {
    throw new QueryUsageError(`--type: expected one of ${PROBLEM_TYPES.join(', ')}, got "${type}"`);
  }
  if (values.seed !== undefined && !/^\d+$/.test(values.seed)) {
    throw new QueryUsageError(`--seed: expected a non-negative integer, got "${values.seed}"`);
  }
  const sampling = {
    ...optional('temperature', number('temperature', values.temperature, false, 0)),
    ...optional('topP', number('top-p', values['top-p'], false, 0)),
    ...optional('topK', number('top-k', values['top-k'], true, 0)),
    ...optional('maxNewTokens', number('max-tokens', values['max-tokens'], true, 1)),
    ...(values.seed === undefined ? {} : { seed: BigInt(values.seed) }),
    ...(values.stop ? { stop: values.stop } : {}),
  };
  const video = values.video
    ? { path: values.video }
    : values['server-video']
      ? { serverUri: values['server-video'] }
      : undefined;
  const frames = number('frames', values.frames, true, 1);
  const tls =
    values.ca || values.cert || values.key
      ? {
          ...(values.ca ? { caFile: values.ca } : {}),
          ...(values.cert ? { certFile: values.cert } : {}),
          ...(values.key ? { keyFile: values.key } : {}),
        }
      : undefined;
  return {
    address,
    question: {
      question,
      problemType: type as ProblemTypeName,
      options: values.option ?? [],
      sampling,
      ...(video ? { video } : {}),
      ...(frames === undefined ? {} : { frames }),
    },
    stream: !values['no-stream'],
    json: values.json,
    token: values.token ?? env['VRFT_TOKEN'],
    tls,
    timeoutMs: number('timeout-ms', values['timeout-ms'], true, 1) ?? 120_000,
  };
}

function optional<K extends string>(key: K, value: number | undefined): Partial<Record<K, number>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, number>);
}
