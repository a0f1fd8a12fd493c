import { Injectable } from '@nestjs/common';
import { type Checkpoint, LearnerPhase, type WeightsVersion } from '@vrft/proto';

/**
 * What the learner is doing, as GetStatus reports it: idle at step 0 until a run is configured
 * (learner.init), then the live step, weights version, counters and the last durable checkpoint.
 */
@Injectable()
export class LearnerState {
  runId = '';
  phase: LearnerPhase = LearnerPhase.IDLE;
  step = 0n;
  rolloutGroupsConsumed = 0n;
  rolloutGroupsDroppedStale = 0n;
  /** Groups dropped by dynamic sampling for lacking an accuracy spread (in the step metrics). */
  rolloutGroupsFilteredNoSpread = 0n;
  /** Groups given up as malformed or with an unreadable video (not in GetStatus; in the step metrics). */
  rolloutGroupsRejected = 0n;
  weightsVersion: WeightsVersion | undefined;
  lastCheckpoint: Checkpoint | undefined;
}
