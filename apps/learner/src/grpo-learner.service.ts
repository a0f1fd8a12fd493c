/**
 * The learner loop of the distributed run: pulls scored RolloutGroups (JetStream durable pull
 * consumer), enforces the staleness bound (with the lag at the step that would train a group, not
 * at its arrival: groups wait while earlier steps run), drops groups without an accuracy spread
 * when dynamic sampling is on (minAccuracySpread), applies a GRPO update per `groupsPerStep` groups
 * (log π_θ recomputed by the tfjs model; @vrft/learner-core's update, with the PPO-ptx term of
 * learner.ptx when its file is set), publishes weights v+1 to
 * the Object Store with a WeightsAnnouncement, checkpoints to disk and the Object Store, and only
 * then lets the handlers of the step's groups return (which acks them): a crash at any moment
 * loses no update and uses no group twice. Resumes from the latest checkpoint on start.
 */
import {
  Inject,
  Injectable,
  Logger,
  Optional,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { create } from '@bufbuild/protobuf';
import { timestampNow } from '@bufbuild/protobuf/wkt';
import { appendFile, mkdir, readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { type Bus, type BusMessage, type ConsumeHandle } from '@vrft/bus';
import { APP_CONFIG } from '@vrft/config';
import { selectBackend, TfjsModel, Trainer } from '@vrft/engine-tfjs';
import {
  applyGrpoUpdate,
  ClipFrameLoader,
  collectStepMetrics,
  DEFAULT_PTX,
  findLatestTrainingCheckpoint,
  hasAccuracySpread,
  loadPtxExamples,
  ptxExamplesOfStep,
  RolloutInputError,
  StageTimer,
  TRAINING_STATE_FORMAT,
  writeModelDirectory,
  writeTrainingCheckpoint,
  seedTrainingRng,
  type TokenizedExample,
} from '@vrft/learner-core';
import { encodeSafetensors, loadCheckpoint, toNamedTensors, type ModelConfig } from '@vrft/model';
import {
  CheckpointSchema,
  LearnerPhase,
  RolloutGroupSchema,
  RunMetricsSchema,
  WeightsAnnouncementSchema,
  WeightsVersionSchema,
  type Checkpoint,
  type RolloutGroup,
} from '@vrft/proto';
import { parseGrpoConfig, type GrpoConfig } from '@vrft/rl';
import { BUS } from '@vrft/runtime';
import { type Tokenizer } from '@vrft/tokenizer';
import { ClipFrames } from './clip-frames.service.js';
import { type LearnerConfig } from './learner.config.js';
import { LearnerState } from './learner-state.service.js';
import { MetricsHub } from './metrics-hub.service.js';
import { accuracyRewards, decideStaleness, policyLag, toLearnerGroup, type LearnerGroup } from './rollout-groups.js';
import { busStepScalars } from './step-scalars.js';

/** The learner has no run (learner.init is not configured). */
export class LearnerIdleError extends Error {
  override readonly name = 'LearnerIdleError';
}

/** A request named a run this learner does not train. */
export class UnknownRunError extends Error {
  override readonly name = 'UnknownRunError';
}

interface Waiting {
  readonly group: LearnerGroup;
  resolve(): void;
  reject(error: Error): void;
}

/** The PPO-ptx term with its defaults resolved and its examples tokenized. */
interface LoadedPtx {
  readonly coefficient: number;
  readonly rows: number;
  readonly examples: readonly TokenizedExample[];
}

interface Running {
  readonly model: TfjsModel;
  readonly trainer: Trainer;
  readonly config: ModelConfig;
  readonly tokenizer: Tokenizer;
  readonly clips: ClipFrames;
  readonly grpo: GrpoConfig;
  /** The PPO-ptx term, when learner.ptx.file is set. */
  readonly ptx?: LoadedPtx;
  version: number;
  consume?: ConsumeHandle;
}

@Injectable()
export class GrpoLearner implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('GrpoLearner');
  private readonly settings: LearnerConfig['learner'];
  private running: Running | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  private pending: Waiting[] = [];
  private undurable: Waiting[] = [];
  private stopping = false;

  constructor(
    @Inject(APP_CONFIG) config: LearnerConfig,
    private readonly state: LearnerState,
    private readonly hub: MetricsHub,
    @Optional() @Inject(BUS) private readonly bus?: Bus,
  ) {
    this.settings = config.learner;
    this.state.runId = config.learner.runId;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.settings.init === undefined) return; // idle: nothing configured to train
    if (this.bus === undefined) throw new Error('the learner needs the bus when learner.init is set');
    const s = this.settings;
    const selection = await selectBackend();
    this.logger.log(`tfjs backend ${selection.candidate}`);
    await mkdir(s.runDir, { recursive: true });
    const referenceDir = join(s.runDir, 'reference');
    const reference = await loadCheckpoint(referenceDir).catch(async () => {
      const init = await loadCheckpoint(s.init as string);
      await writeModelDirectory(referenceDir, s.runDir, init, { role: 'reference' });
      return init;
    });
    const resumed = await findLatestTrainingCheckpoint(s.runDir);
    const model = TfjsModel.create(reference.config, resumed?.weights ?? reference.weights);
    const trainer = new Trainer(model, {
      learningRate: s.learningRate,
      minLearningRate: s.learningRate,
      warmupSteps: 0,
      weightDecay: s.weightDecay,
      maxGradNorm: s.maxGradNorm,
      frozen: s.freeze,
    });
    if (resumed !== undefined) trainer.importState(resumed.optimizer);
    const frozen = trainer.frozenSummary();
    if (frozen !== undefined) this.logger.log(frozen);
    const ptx = await this.loadPtx(reference);
    this.running = {
      model,
      trainer,
      config: reference.config,
      tokenizer: reference.tokenizer,
      clips: new ClipFrames(reference.config, s.videoRoots, this.bus),
      grpo: parseGrpoConfig({ beta: s.beta }),
      ...(ptx === undefined ? {} : { ptx }),
      version: Number(resumed?.state.extra['policyVersion'] ?? 0),
    };
    this.state.step = BigInt(trainer.step);
    this.state.rolloutGroupsConsumed = BigInt(resumed?.state.counters['consumed'] ?? 0);
    this.state.rolloutGroupsDroppedStale = BigInt(resumed?.state.counters['dropped'] ?? 0);
    this.state.rolloutGroupsFilteredNoSpread = BigInt(resumed?.state.counters['filtered'] ?? 0);
    if (resumed !== undefined) {
      this.state.lastCheckpoint = create(CheckpointSchema, { step: BigInt(resumed.state.step), path: resumed.dir });
      this.logger.log(`resumed from ${resumed.dir} (step ${resumed.state.step}, weights v${this.running.version})`);
    }
    await this.ensureBus(this.bus);
    await this.publishWeights();
    this.state.phase = LearnerPhase.IDLE;
    this.running.consume = await this.bus.consume(
      RolloutGroupSchema,
      { stream: s.rolloutStream, consumer: s.consumer },
      (message) => this.handle(message),
      { concurrency: s.groupsPerStep * s.checkpointEvery, expiresMs: 5_000 },
    );
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    // Handlers waiting for a step that will not come give their groups back (nak → redelivery).
    for (const waiting of [...this.pending, ...this.undurable]) waiting.reject(new Error('learner shutting down'));
    this.pending = [];
    this.undurable = [];
    await this.running?.consume?.stop();
    await this.chain.catch(() => undefined);
    this.running?.trainer.dispose();
    this.running?.model.dispose();
  }

  /** Whether a run is configured and started. */
  get active(): boolean {
    return this.running !== undefined;
  }

  /** Throws unless the learner trains `runId` (empty: whichever run it trains). */
  requireRun(runId: string): void {
    if (this.running === undefined)
      throw new LearnerIdleError('the learner is idle: no run is configured (learner.init)');
    if (runId !== '' && runId !== this.settings.runId)
      throw new UnknownRunError(
        `this learner trains run ${JSON.stringify(this.settings.runId)}, not ${JSON.stringify(runId)}`,
      );
  }

  /** Writes a checkpoint now (after the step in progress) and returns it. */
  async checkpointNow(): Promise<Checkpoint> {
    if (this.running === undefined)
      throw new LearnerIdleError('the learner is idle: no run is configured (learner.init)');
    const done = this.chain.then(() => this.checkpoint());
    this.chain = done.catch(() => undefined);
    return done;
  }

  /** The PPO-ptx term of learner.ptx (frames from the file's dataset directory), or undefined. */
  private async loadPtx(model: {
    readonly config: ModelConfig;
    readonly tokenizer: Tokenizer;
  }): Promise<LoadedPtx | undefined> {
    const { file, dataDir, coefficient, rows } = this.settings.ptx;
    if (file === undefined) return undefined;
    const frames = new ClipFrameLoader(model.config, { dataDir: dataDir ?? dirname(file), prefer: 'video' });
    const examples = await loadPtxExamples(file, model, frames, { write: (line) => this.logger.log(line.trimEnd()) });
    return { coefficient: coefficient ?? DEFAULT_PTX.coefficient, rows: rows ?? DEFAULT_PTX.rows, examples };
  }

  private async ensureBus(bus: Bus): Promise<void> {
    const s = this.settings;
    await bus.ensureStream({ name: s.rolloutStream, subjects: [`${s.rolloutSubjectPrefix}.>`] });
    await bus.ensureStream({ name: s.weightsStream, subjects: [`${s.weightsSubjectPrefix}.>`] });
    await bus.ensureStream({ name: s.metricsStream, subjects: [`${s.metricsSubjectPrefix}.>`] });
    await bus.ensureConsumer(s.rolloutStream, {
      durable: s.consumer,
      filterSubject: `${s.rolloutSubjectPrefix}.${s.runId}`,
      ackWaitMs: s.ackWaitMs,
      maxDeliver: -1,
      maxAckPending: Math.max(1000, s.groupsPerStep * s.checkpointEvery * 2),
    });
    await bus.ensureBlobBucket(s.weightsBucket);
    await bus.ensureBlobBucket(s.checkpointBucket);
  }

  private async handle(message: BusMessage<RolloutGroup>): Promise<void> {
    const running = this.running;
    if (running === undefined || this.stopping) throw new Error('learner not running');
    const s = this.settings;
    // Versions only grow: a group already past the bound is dropped now, without decoding its video.
    const lag = policyLag(running.version, Number(message.data.policyVersion?.version ?? 0n));
    if (decideStaleness(lag, s) === 'drop') {
      this.state.rolloutGroupsDroppedStale += 1n;
      return; // acked: consumed, counted, not trained on
    }
    // Dynamic sampling: a group without an accuracy spread carries no accuracy signal; the actors'
    // later groups fill the step instead.
    if (!hasAccuracySpread(accuracyRewards(message.data), s.minAccuracySpread)) {
      this.state.rolloutGroupsFilteredNoSpread += 1n;
      return; // acked, counted, not trained on
    }
    let group: LearnerGroup;
    try {
      group = toLearnerGroup(message.data, await running.clips.load(message.data.video), running.grpo);
    } catch (error) {
      // A malformed group or an unreadable video will not get better on redelivery: give it up.
      const reason = error instanceof RolloutInputError ? error.message : `video: ${(error as Error).message}`;
      this.logger.warn(`rollout group ${message.data.taskId} rejected: ${reason}`);
      this.state.rolloutGroupsRejected += 1n;
      message.term(reason);
      return;
    }
    const durable = new Promise<void>((resolve, reject) => {
      this.pending.push({ group, resolve, reject });
    });
    // The step is built when the chain reaches it, so the lag it judges is the one it trains at.
    if (this.pending.length >= s.groupsPerStep)
      this.chain = this.chain
        .then(() => this.runSteps())
        .catch((error: unknown) => this.logger.error(`steps failed: ${(error as Error).message}`));
    const keepAlive = setInterval(() => message.working(), Math.max(1000, s.ackWaitMs / 3));
    try {
      await durable; // returns (acks) only once the checkpoint holding this group's update is on disk
    } finally {
      clearInterval(keepAlive);
    }
  }

  /**
   * Runs steps while enough groups wait. Before each, the waiting groups are judged against the
   * current version: those now past the bound are dropped (counted, their handlers return, so they
   * are acked), the rest keep their place. Never rejects: a failed step naks its own groups.
   */
  private async runSteps(): Promise<void> {
    const running = this.running as Running;
    const s = this.settings;
    while (!this.stopping && this.pending.length >= s.groupsPerStep) {
      const kept: Waiting[] = [];
      for (const waiting of this.pending) {
        if (decideStaleness(policyLag(running.version, waiting.group.policyVersion), s) === 'drop') {
          this.state.rolloutGroupsDroppedStale += 1n;
          waiting.resolve();
        } else kept.push(waiting);
      }
      this.pending = kept;
      if (kept.length < s.groupsPerStep) return;
      const step = this.pending.splice(0, s.groupsPerStep);
      const importance = step.some(
        (w) => decideStaleness(policyLag(running.version, w.group.policyVersion), s) === 'importance',
      );
      try {
        await this.runStep(step, importance);
      } catch (error) {
        for (const w of step) w.reject(error as Error);
        this.logger.error(`step failed: ${(error as Error).message}`);
      }
    }
  }

  private async runStep(step: Waiting[], importanceCorrection: boolean): Promise<void> {
    const running = this.running as Running;
    const timer = new StageTimer();
    this.state.phase = LearnerPhase.TRAINING;
    const groups = step.map((w) => w.group);
    const update = await timer.run('update', () =>
      applyGrpoUpdate(running.model, running.trainer, groups, {
        grpo: running.grpo,
        microRows: this.settings.microRows,
        importanceCorrection,
        temperature: this.settings.samplingTemperature,
        ...(running.ptx === undefined
          ? {}
          : {
              ptx: {
                coefficient: running.ptx.coefficient,
                sequences: ptxExamplesOfStep(
                  running.ptx.examples,
                  running.trainer.step,
                  running.ptx.rows,
                  this.settings.seed,
                ),
              },
            }),
      }),
    );
    running.version += 1;
    this.state.step = BigInt(running.trainer.step);
    this.state.rolloutGroupsConsumed += BigInt(step.length);
    await timer.run('publish', () => this.publishWeights());
    this.undurable.push(...step);
    if (running.trainer.step % this.settings.checkpointEvery === 0)
      await timer.run('checkpoint', () => this.checkpoint());
    const scalars = {
      ...collectStepMetrics(groups, update, timer.breakdown(), running.version - 1),
      ...busStepScalars(groups, running.version - 1),
    };
    scalars['rollout/dropped_stale_total'] = Number(this.state.rolloutGroupsDroppedStale);
    scalars['rollout/filtered_no_spread_total'] = Number(this.state.rolloutGroupsFilteredNoSpread);
    scalars['rollout/consumed_total'] = Number(this.state.rolloutGroupsConsumed);
    scalars['rollout/rejected_total'] = Number(this.state.rolloutGroupsRejected);
    const metrics = create(RunMetricsSchema, {
      runId: this.settings.runId,
      step: BigInt(running.trainer.step),
      scalars,
      time: timestampNow(),
    });
    await appendFile(
      join(this.settings.runDir, 'metrics.jsonl'),
      `${JSON.stringify({ step: running.trainer.step, ...scalars })}\n`,
    );
    await this.bus?.publish(RunMetricsSchema, `${this.settings.metricsSubjectPrefix}.${this.settings.runId}`, metrics);
    this.hub.publish(metrics);
    this.state.phase = LearnerPhase.IDLE;
  }

  private async publishWeights(): Promise<void> {
    const running = this.running as Running;
    const bus = this.bus as Bus;
    const s = this.settings;
    const bytes = encodeSafetensors(toNamedTensors(running.config, running.model.exportWeights()), {
      format: 'vrft',
      version: String(running.version),
    });
    const ref = await bus.putBlob(s.weightsBucket, `${s.runId}/v${running.version}/model.safetensors`, bytes);
    const version = create(WeightsVersionSchema, {
      runId: s.runId,
      version: BigInt(running.version),
      weights: ref,
      step: BigInt(running.trainer.step),
    });
    this.state.weightsVersion = version;
    await bus.publish(
      WeightsAnnouncementSchema,
      `${s.weightsSubjectPrefix}.${s.runId}`,
      create(WeightsAnnouncementSchema, { version, publishedAt: timestampNow() }),
    );
  }

  private async checkpoint(): Promise<Checkpoint> {
    const running = this.running as Running;
    const s = this.settings;
    const previous = this.state.phase;
    this.state.phase = LearnerPhase.CHECKPOINTING;
    try {
      const dir = await writeTrainingCheckpoint(
        s.runDir,
        {
          config: running.config,
          tokenizer: running.tokenizer,
          weights: running.model.exportWeights(),
          optimizer: running.trainer.exportState(),
          state: {
            format: TRAINING_STATE_FORMAT,
            stage: 'learner',
            step: running.trainer.step,
            seed: s.seed,
            optionsDigest: s.runId,
            rng: seedTrainingRng(s.seed),
            cursor: {},
            counters: {
              consumed: Number(this.state.rolloutGroupsConsumed),
              dropped: Number(this.state.rolloutGroupsDroppedStale),
              filtered: Number(this.state.rolloutGroupsFilteredNoSpread),
            },
            extra: { policyVersion: running.version },
          },
        },
        s.keepCheckpoints,
      );
      // Durable on disk: the groups of the updates it holds may now be acked.
      for (const w of this.undurable.splice(0)) w.resolve();
      const object = await this.uploadCheckpoint(dir, running.trainer.step);
      const checkpoint = create(CheckpointSchema, { step: BigInt(running.trainer.step), path: dir, object });
      this.state.lastCheckpoint = checkpoint;
      return checkpoint;
    } finally {
      this.state.phase = previous === LearnerPhase.CHECKPOINTING ? LearnerPhase.IDLE : previous;
    }
  }

  /** Copies a checkpoint's files to the Object Store; returns the ref of its manifest (file → ref). */
  private async uploadCheckpoint(dir: string, step: number) {
    const bus = this.bus as Bus;
    const s = this.settings;
    const prefix = `${s.runId}/step-${step}`;
    const manifest: Record<string, unknown> = {};
    for (const name of await readdir(dir)) {
      const ref = await bus.putBlob(s.checkpointBucket, `${prefix}/${name}`, await readFile(join(dir, name)));
      manifest[name] = { name: ref.name, sha256: ref.sha256, sizeBytes: Number(ref.sizeBytes) };
    }
    return bus.putBlob(
      s.checkpointBucket,
      `${prefix}/manifest.json`,
      new TextEncoder().encode(JSON.stringify(manifest, null, 2)),
    );
  }
}
