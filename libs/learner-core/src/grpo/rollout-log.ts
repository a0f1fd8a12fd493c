/**
 * RUN/rollouts.jsonl: what the policy wrote and how each completion was scored, one JSON line per
 * group (for reading a run's completions, and for checking the rewards against @vrft/rewards).
 */
import { type ScoredGroup } from './rollout-batch.js';

/** One completion of a logged group. */
export interface LoggedCompletion {
  readonly text: string;
  readonly tokens: number;
  readonly format: number;
  readonly accuracy: number;
  /** R_s, when the recipe has it on. */
  readonly semantic?: number;
  /** R_s was switched off by the gate 1[R_a > 0]. */
  readonly gated?: boolean;
  /** A description span was encoded and compared with the frames. */
  readonly scored?: boolean;
  readonly total: number;
  readonly advantage: number;
}

/** One line of rollouts.jsonl. */
export interface RolloutLogRecord {
  /** The optimizer step these rollouts were trained on (1-based, as in metrics.jsonl). */
  readonly step: number;
  readonly problemId: string;
  readonly clipPath: string;
  readonly policyVersion: number;
  readonly completions: readonly LoggedCompletion[];
}

/** The JSON lines of a step's groups. */
export function rolloutLogLines(step: number, groups: readonly ScoredGroup[]): string {
  return groups
    .map((group) => {
      const { rewards } = group;
      const record: RolloutLogRecord = {
        step,
        problemId: group.prompt.problemId,
        clipPath: group.prompt.clipPath,
        policyVersion: group.policyVersion,
        completions: group.completions.map((c, i) => ({
          text: c.text,
          tokens: c.tokenIds.length,
          format: rewards.format[i] ?? 0,
          accuracy: rewards.accuracy[i] ?? 0,
          ...(rewards.semantic
            ? {
                semantic: rewards.semantic.value[i] ?? 0,
                gated: rewards.semantic.gated[i] ?? false,
                scored: rewards.semantic.scored[i] ?? false,
              }
            : {}),
          total: rewards.total[i] ?? 0,
          advantage: group.advantages[i] ?? 0,
        })),
      };
      return `${JSON.stringify(record)}\n`;
    })
    .join('');
}
