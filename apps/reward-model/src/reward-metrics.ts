import { RewardComponent, ZeroReason } from '@vrft/proto';
import { type CompletionReward } from '@vrft/rewards';
import { defineCounter, defineHistogram } from '@vrft/telemetry';
import { type Counter, type Histogram, type Registry } from 'prom-client';

/** Stages of scoring one group, timed separately. */
export type ScoreStage = 'decode' | 'encode_frames' | 'encode_texts' | 'score';

/** The reward-model's metrics, per component and per stage. */
export class RewardMetrics {
  private readonly values: Histogram<'component'>;
  private readonly zeros: Counter<'component' | 'reason'>;
  private readonly stages: Histogram<'stage'>;
  private readonly completions: Counter;

  constructor(registry: Registry) {
    this.values = defineHistogram(registry, {
      name: 'vrft_reward_component_value',
      help: 'Value of each reward component per scored completion',
      labelNames: ['component'],
      buckets: [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1, 2, 3],
    });
    this.zeros = defineCounter(registry, {
      name: 'vrft_reward_zero_total',
      help: 'Completions whose component scored 0, by reason',
      labelNames: ['component', 'reason'],
    });
    this.stages = defineHistogram(registry, {
      name: 'vrft_reward_stage_seconds',
      help: 'Seconds per group spent in each scoring stage (decode, encode_frames, encode_texts, score)',
      labelNames: ['stage'],
      buckets: [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10],
    });
    this.completions = defineCounter(registry, {
      name: 'vrft_reward_completions_total',
      help: 'Completions scored',
    });
  }

  /** Times a stage. */
  async time<T>(stage: ScoreStage, run: () => Promise<T> | T): Promise<T> {
    const started = performance.now();
    try {
      return await run();
    } finally {
      this.stages.observe({ stage }, (performance.now() - started) / 1000);
    }
  }

  /** Records every component of every completion. */
  record(rewards: readonly CompletionReward[]): void {
    this.completions.inc(rewards.length);
    for (const reward of rewards) {
      for (const c of [reward.format, reward.accuracy, reward.semantic, reward.lengthBonus, reward.temporalBonus]) {
        const component = (RewardComponent[c.component] ?? String(c.component)).toLowerCase();
        this.values.observe({ component }, c.value);
        if (c.value === 0)
          this.zeros.inc({ component, reason: (ZeroReason[c.zeroReason] ?? String(c.zeroReason)).toLowerCase() });
      }
    }
  }
}
