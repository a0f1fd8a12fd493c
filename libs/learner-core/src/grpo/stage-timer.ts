/** Named, timed stages of a training step: the step-time breakdown of the metrics. */

/**
 * The stages of a GRPO step, in dataflow order ('encode': the dual encoder for R_s, when it is on;
 * 'filter': dynamic sampling, when it is on).
 */
export const GRPO_STAGES = [
  'generate',
  'encode',
  'reward',
  'filter',
  'reference',
  'advantages',
  'update',
  'publish',
  'checkpoint',
] as const;

/** One of GRPO_STAGES. */
export type GrpoStageName = (typeof GRPO_STAGES)[number];

/** Times stages with an injectable millisecond clock. */
export class StageTimer {
  private readonly seconds = new Map<string, number>();

  constructor(private readonly clock: () => number = () => performance.now()) {}

  /** Runs `work` as stage `name`, adding its wall time to the stage. */
  async run<T>(name: GrpoStageName | string, work: () => Promise<T> | T): Promise<T> {
    const started = this.clock();
    try {
      return await work();
    } finally {
      this.seconds.set(name, (this.seconds.get(name) ?? 0) + (this.clock() - started) / 1000);
    }
  }

  /** Seconds per stage so far. */
  breakdown(): Record<string, number> {
    return Object.fromEntries(this.seconds);
  }

  /** Total seconds over all stages. */
  total(): number {
    let sum = 0;
    for (const value of this.seconds.values()) sum += value;
    return sum;
  }
}
