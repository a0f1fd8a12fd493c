/**
 * `vrft train compare`: models scored on the same held-out samples (`vrft train eval
 * --completions FILE` writes one JSON line per sample), each set against a baseline by the mean of
 * the per-sample differences. Pairing cancels how hard each sample is, so the difference's standard
 * error is several times smaller than either accuracy's own: on 3000 test samples about 0.005
 * against 0.009. That is what tells a 0.01 gain from noise.
 *
 * It also shows how concentrated each model's answers are: the share of a problem type's samples
 * that get its most common answer. A model that ignores the video gives one answer to every
 * question of a kind, and then its accuracy moves by whole blocks of samples when that answer
 * flips, by more than the paired standard error suggests.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { formatTable } from '../table.js';

/** A completions file that cannot be read or compared. */
export class CompletionsFileError extends Error {
  override readonly name = 'CompletionsFileError';
}

/** One sample's score in a completions file. */
export interface SampleScore {
  readonly problemType: string;
  /** R_a in [0, 1]. */
  readonly accuracy: number;
  /** The scored answer text, when the file has it. */
  readonly answer?: string;
}

/** One model's scores, keyed by problem id, in the file's order. */
export interface CompletionScores {
  readonly label: string;
  readonly path: string;
  readonly byId: ReadonlyMap<string, SampleScore>;
}

/** Reads a `--completions` file: every line needs `problemId`, `problemType` and `accuracy`. */
export async function readCompletionScores(path: string, label?: string): Promise<CompletionScores> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new CompletionsFileError(`cannot read ${path}: ${(error as Error).message}`);
  }
  const byId = new Map<string, SampleScore>();
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    const where = `${path}:${index + 1}`;
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch {
      throw new CompletionsFileError(`${where}: not a JSON line`);
    }
    const { problemId, problemType, accuracy, answer } = (record ?? {}) as Record<string, unknown>;
    if (typeof problemId !== 'string' || typeof problemType !== 'string')
      throw new CompletionsFileError(
        `${where}: needs string problemId and problemType (vrft train eval --completions)`,
      );
    if (typeof accuracy !== 'number' || !(accuracy >= 0 && accuracy <= 1))
      throw new CompletionsFileError(`${where}: accuracy must be a number in [0, 1]`);
    if (byId.has(problemId)) throw new CompletionsFileError(`${where}: problem ${problemId} appears twice`);
    byId.set(problemId, { problemType, accuracy, ...(typeof answer === 'string' ? { answer } : {}) });
  });
  if (byId.size === 0) throw new CompletionsFileError(`${path}: no completions`);
  return { label: label ?? basename(path).replace(/\.jsonl$/, ''), path, byId };
}

/** A candidate's mean score minus the baseline's on the same samples. */
export interface PairedDifference {
  readonly samples: number;
  /** Δ = (1/n) Σ_i (c_i − b_i). */
  readonly difference: number;
  /** s.e.(Δ) = sd(c − b)/√n, sd with n − 1; NaN for one sample. */
  readonly standardError: number;
}

/** The paired difference of two score lists of the same samples, in the same order. */
export function pairedDifference(baseline: readonly number[], candidate: readonly number[]): PairedDifference {
  if (baseline.length !== candidate.length || baseline.length === 0)
    throw new RangeError(`paired scores need equal, non-empty lists (got ${baseline.length} and ${candidate.length})`);
  const n = baseline.length;
  const differences = candidate.map((c, i) => c - (baseline[i] as number));
  const mean = differences.reduce((sum, d) => sum + d, 0) / n;
  const variance = n < 2 ? Number.NaN : differences.reduce((sum, d) => sum + (d - mean) ** 2, 0) / (n - 1); // s² = Σ(d_i − Δ)²/(n − 1)
  return { samples: n, difference: mean, standardError: Math.sqrt(variance / n) };
}

/** One model's line of the comparison. */
export interface ComparisonRow {
  readonly label: string;
  readonly samples: number;
  readonly accuracy: number;
  /** Mean R_a by problem type. */
  readonly byProblemType: ReadonlyMap<string, number>;
  /**
   * By problem type, the share of its samples given the most common answer (1: the same answer to
   * every question of the type). Empty when a file lacks the answers.
   */
  readonly topAnswerShare: ReadonlyMap<string, number>;
  /** Absent for the baseline itself. */
  readonly vsBaseline?: PairedDifference;
}

function summarise(scores: CompletionScores, ids: readonly string[]): Omit<ComparisonRow, 'vsBaseline'> {
  const sums = new Map<string, { total: number; count: number }>();
  let total = 0;
  for (const id of ids) {
    const score = scores.byId.get(id) as SampleScore;
    total += score.accuracy;
    const entry = sums.get(score.problemType) ?? { total: 0, count: 0 };
    entry.total += score.accuracy;
    entry.count += 1;
    sums.set(score.problemType, entry);
  }
  const byProblemType = new Map([...sums].map(([type, { total, count }]) => [type, total / count] as const));
  return {
    label: scores.label,
    samples: ids.length,
    accuracy: total / ids.length,
    byProblemType,
    topAnswerShare: topAnswerShares(ids.map((id) => scores.byId.get(id) as SampleScore)),
  };
}

function topAnswerShares(scores: readonly SampleScore[]): ReadonlyMap<string, number> {
  if (scores.some((score) => score.answer === undefined)) return new Map();
  const counts = new Map<string, Map<string, number>>(); // type → answer → samples
  for (const { problemType, answer } of scores) {
    const byAnswer = counts.get(problemType) ?? new Map<string, number>();
    byAnswer.set(answer as string, (byAnswer.get(answer as string) ?? 0) + 1);
    counts.set(problemType, byAnswer);
  }
  return new Map(
    [...counts].map(([type, byAnswer]) => {
      const values = [...byAnswer.values()];
      const total = values.reduce((sum, n) => sum + n, 0);
      return [type, Math.max(...values) / total] as const;
    }),
  );
}

/**
 * The baseline's row, then each candidate's with its paired difference. Every candidate must have
 * scored exactly the baseline's samples: a comparison over different samples is not paired.
 */
export function compareCompletions(
  baseline: CompletionScores,
  candidates: readonly CompletionScores[],
): ComparisonRow[] {
  const ids = [...baseline.byId.keys()];
  const rows: ComparisonRow[] = [summarise(baseline, ids)];
  for (const candidate of candidates) {
    const missing = ids.filter((id) => !candidate.byId.has(id));
    const extra = candidate.byId.size - (ids.length - missing.length);
    if (missing.length > 0 || extra > 0)
      throw new CompletionsFileError(
        `${candidate.path} and ${baseline.path} scored different samples ` +
          `(${missing.length} of the baseline's missing${missing.length > 0 ? `, e.g. ${missing[0]}` : ''}; ${extra} not in the baseline)`,
      );
    const vsBaseline = pairedDifference(
      ids.map((id) => (baseline.byId.get(id) as SampleScore).accuracy),
      ids.map((id) => (candidate.byId.get(id) as SampleScore).accuracy),
    );
    rows.push({ ...summarise(candidate, ids), vsBaseline });
  }
  return rows;
}

function signed(value: number): string {
  return `${value >= 0 ? '+' : '−'}${Math.abs(value).toFixed(3)}`;
}

/** The rows as a table: accuracy, Δ vs the baseline ± its paired standard error, one column per problem type. */
export function formatComparison(rows: readonly ComparisonRow[]): string {
  const types = [...new Set(rows.flatMap((row) => [...row.byProblemType.keys()]))].sort();
  const header = ['completions', 'samples', 'accuracy', 'Δ vs baseline (paired)', ...types];
  const body = rows.map((row) => [
    row.label,
    String(row.samples),
    row.accuracy.toFixed(4),
    row.vsBaseline === undefined
      ? '(baseline)'
      : `${signed(row.vsBaseline.difference)} ± ${Number.isNaN(row.vsBaseline.standardError) ? '—' : row.vsBaseline.standardError.toFixed(3)}`,
    ...types.map((type) => row.byProblemType.get(type)?.toFixed(3) ?? ''),
  ]);
  return formatTable(header, body);
}

/**
 * Share of each problem type's samples that get the model's most common answer, one row per
 * model; empty when some file lacks the answers.
 */
export function formatAnswerConcentration(rows: readonly ComparisonRow[]): string {
  if (rows.some((row) => row.topAnswerShare.size === 0)) return '';
  const types = [...new Set(rows.flatMap((row) => [...row.topAnswerShare.keys()]))].sort();
  const header = ['most common answer’s share', ...types];
  const body = rows.map((row) => [row.label, ...types.map((type) => row.topAnswerShare.get(type)?.toFixed(3) ?? '')]);
  return formatTable(header, body);
}
