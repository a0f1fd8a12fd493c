/** Command-line options of `vrft data generate`, mapped onto the generator's options. */
import { parseArgs } from 'node:util';
import {
  DIFFICULTIES,
  PROBLEM_TYPE_NAMES,
  type Difficulty,
  type GenerateDatasetOptions,
  type ProblemTypeName,
} from '@vrft/data';

/** Usage of `vrft data generate`. */
export const GENERATE_USAGE = `usage: vrft data generate --out DIR --count N [options]

  --out DIR               dataset directory (created when missing)
  --count N               clips to make
  --seed S                first seed within the split (clip i uses S + i; default 0)
  --split NAME            train | validation | test (disjoint seed ranges; default train)
  --no-encode             write scenes only; frames re-render from them (resume later to encode)
  --concurrency K         clips in flight, one ffmpeg each (default 2)
  --no-resume             regenerate clips that already exist in DIR
  --difficulty NAME       ${DIFFICULTIES.join(' | ')} (default medium)
  --questions-per-clip Q  questions (samples) per clip (default 2)
  --closeness C           distractor closeness in [0, 1] (default from the difficulty)
  --problem-types LIST    comma-separated subset of: ${PROBLEM_TYPE_NAMES.join(', ')}
  --families LIST         comma-separated family names (default all)
  --width W --height H    frame size (default 64×64)
  --fps F                 frames per second (default 8)
  --min-seconds S --max-seconds S   clip length range (default 2–4)
  --min-objects N --max-objects N   objects per clip
  --quality CRF           h264 CRF 0–51 (default 18)
  --progress-seconds S    seconds between progress lines (default 2)
`;

/** A bad command line; the message names the option. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Parsed `generate` arguments: the generator options plus the CLI's own. */
export interface GenerateArgs {
  options: Omit<GenerateDatasetOptions, 'onProgress' | 'clock' | 'signal'>;
  progressSeconds: number;
}

/** Parses `vrft data generate` arguments; throws UsageError naming a bad option. */
export function parseGenerateArgs(args: readonly string[]): GenerateArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      allowNegative: true,
      options: {
        out: { type: 'string' },
        count: { type: 'string' },
        seed: { type: 'string' },
        split: { type: 'string' },
        encode: { type: 'boolean', default: true },
        concurrency: { type: 'string' },
        resume: { type: 'boolean', default: true },
        difficulty: { type: 'string' },
        'questions-per-clip': { type: 'string' },
        closeness: { type: 'string' },
        'problem-types': { type: 'string' },
        families: { type: 'string' },
        width: { type: 'string' },
        height: { type: 'string' },
        fps: { type: 'string' },
        'min-seconds': { type: 'string' },
        'max-seconds': { type: 'string' },
        'min-objects': { type: 'string' },
        'max-objects': { type: 'string' },
        quality: { type: 'string' },
        'progress-seconds': { type: 'string' },
      },
    }));
  } catch (cause) {
    throw new UsageError(cause instanceof Error ? cause.message : String(cause), { cause });
  }
  if (values.out === undefined) throw new UsageError('--out DIR is required');
  if (values.count === undefined) throw new UsageError('--count N is required');
  const num = (name: string, text: string | undefined): number | undefined => {
    if (text === undefined) return undefined;
    const value = Number(text);
    if (text.trim() === '' || !Number.isFinite(value))
      throw new UsageError(`--${name}: expected a number, got "${text}"`);
    return value;
  };
  const list = (text: string | undefined): string[] | undefined =>
    text === undefined
      ? undefined
      : text
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s !== '');
  const difficulty = values.difficulty;
  if (difficulty !== undefined && !(DIFFICULTIES as readonly string[]).includes(difficulty)) {
    throw new UsageError(`--difficulty: expected one of ${DIFFICULTIES.join(', ')}, got "${difficulty}"`);
  }
  const world = dropUndefined({
    width: num('width', values.width),
    height: num('height', values.height),
    fps: num('fps', values.fps),
    minDurationSec: num('min-seconds', values['min-seconds']),
    maxDurationSec: num('max-seconds', values['max-seconds']),
    minObjects: num('min-objects', values['min-objects']),
    maxObjects: num('max-objects', values['max-objects']),
  });
  const questions = dropUndefined({
    questionsPerClip: num('questions-per-clip', values['questions-per-clip']),
    closeness: num('closeness', values.closeness),
    // Values are checked by the generator's option parser, which names the field.
    problemTypes: list(values['problem-types']) as ProblemTypeName[] | undefined,
    families: list(values.families),
  });
  const options: GenerateArgs['options'] = {
    outDir: values.out,
    count: num('count', values.count) ?? 0,
    encode: values.encode,
    resume: values.resume,
    synthetic: { ...(difficulty ? { difficulty: difficulty as Difficulty } : {}), world, questions },
    ...dropUndefined({
      seed: num('seed', values.seed),
      split: values.split,
      concurrency: num('concurrency', values.concurrency),
      quality: num('quality', values.quality),
    }),
  };
  return { options, progressSeconds: num('progress-seconds', values['progress-seconds']) ?? 2 };
}

function dropUndefined<T extends Record<string, unknown>>(record: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>;
  };
}
