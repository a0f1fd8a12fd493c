import { natsSchema } from '@vrft/config';
import { DEFAULT_PTX } from '@vrft/learner-core';
import { baseAppSchema } from '@vrft/runtime';
import { z } from 'zod';

const positive = () => z.number().int().positive();

/** Configuration of the learner (env vars VRFT_..., optional JSON file in VRFT_CONFIG_FILE). */
export const learnerConfigSchema = baseAppSchema('learner', 50055).extend({
  nats: natsSchema.prefault({}),
  learner: z
    .object({
      runId: z.string().min(1).default('run').describe('Run id: subjects, object names and statuses carry it'),
      init: z
        .string()
        .min(1)
        .optional()
        .describe(
          'Checkpoint to start from (the SFT model, also the frozen reference); absent = the learner stays idle',
        ),
      runDir: z.string().min(1).default('.vrft/learner').describe('Run directory: checkpoints, metrics.jsonl'),
      groupsPerStep: positive().default(4).describe('Rollout groups per GRPO update'),
      maxPolicyLag: z
        .number()
        .int()
        .min(0)
        .default(2)
        .describe('Largest policy-version lag of a group taken as is (current version − group version)'),
      stalePolicy: z
        .enum(['drop', 'importance'])
        .default('drop')
        .describe('Groups past maxPolicyLag: drop (counted) or train on them with truncated importance weights'),
      maxImportanceLag: z
        .number()
        .int()
        .min(0)
        .default(8)
        .describe('With stalePolicy=importance, groups lagging more than this are still dropped'),
      minAccuracySpread: z
        .number()
        .min(0)
        .max(1)
        .default(0)
        .describe(
          'Dynamic sampling: groups whose accuracy rewards spread by less (max − min; all right or all wrong) are dropped, counted, and later groups fill the step; 0 keeps all',
        ),
      microRows: positive().default(8).describe('Completions per micro-batch of the update'),
      learningRate: z.number().positive().default(2e-5).describe('AdamW learning rate'),
      weightDecay: z.number().min(0).default(0.01).describe('AdamW decoupled weight decay'),
      maxGradNorm: z.number().min(0).default(5).describe('Global gradient-norm clip (0 = off)'),
      freeze: z
        .array(z.string().min(1))
        .default([])
        .describe(
          'Weights not trained: groups (vision, projector, lm) or name prefixes up to a dot (lm.embed); one that names no weight is an error',
        ),
      beta: z.number().min(0).default(0.04).describe('KL weight β to the reference policy'),
      ptx: z
        .object({
          file: z
            .string()
            .min(1)
            .optional()
            .describe(
              'PPO-ptx: CoT-SFT samples (JSONL) whose NLL, times coefficient, joins every update; absent = no ptx term',
            ),
          dataDir: z
            .string()
            .min(1)
            .optional()
            .describe(
              'Dataset directory the samples’ ./videos/… paths are relative to (default: the file’s directory)',
            ),
          coefficient: z
            .number()
            .min(0)
            .max(1000)
            .optional()
            .describe(`γ, the weight of the supervised NLL against the GRPO loss (default ${DEFAULT_PTX.coefficient})`),
          rows: positive()
            .max(4096)
            .optional()
            .describe(`Supervised examples per update (default ${DEFAULT_PTX.rows})`),
        })
        .refine((ptx) => ptx.file !== undefined || Object.values(ptx).every((v) => v === undefined), {
          path: ['file'],
          error: 'required when learner.ptx.dataDir, coefficient or rows is set',
        })
        .prefault({}),
      samplingTemperature: z
        .number()
        .positive()
        .max(10)
        .default(1)
        .describe(
          'Temperature τ the actors sample at: log π_θ is taken under softmax(z/τ), as the rollouts’ behaviour and reference log-probs',
        ),
      checkpointEvery: positive().default(1).describe('Updates between checkpoints (rollouts are acked after theirs)'),
      keepCheckpoints: positive().default(2).describe('Checkpoints kept on disk'),
      seed: z.number().int().min(0).default(1).describe('Run seed'),
      rolloutStream: z.string().min(1).default('VRFT_ROLLOUTS').describe('JetStream stream of scored rollout groups'),
      rolloutSubjectPrefix: z.string().min(1).default('vrft.rollouts').describe('Groups arrive on <prefix>.<runId>'),
      consumer: z.string().min(1).default('learner').describe('Durable pull consumer of the rollout stream'),
      ackWaitMs: positive()
        .default(120_000)
        .describe('Ack wait of the consumer (held while the update is made durable)'),
      weightsStream: z.string().min(1).default('VRFT_WEIGHTS').describe('Stream of weights announcements'),
      weightsSubjectPrefix: z.string().min(1).default('vrft.weights').describe('Announcements go to <prefix>.<runId>'),
      metricsStream: z.string().min(1).default('VRFT_METRICS').describe('Stream of per-step RunMetrics'),
      metricsSubjectPrefix: z.string().min(1).default('vrft.metrics').describe('RunMetrics go to <prefix>.<runId>'),
      weightsBucket: z.string().min(1).default('vrft_weights').describe('Object Store bucket of published weights'),
      checkpointBucket: z.string().min(1).default('vrft_checkpoints').describe('Object Store bucket of checkpoints'),
      videoRoots: z.array(z.string().min(1)).default([]).describe('Directories file_uri videos may be read from'),
    })
    .prefault({}),
});

export type LearnerConfig = z.output<typeof learnerConfigSchema>;
