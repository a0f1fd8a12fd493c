import { Injectable } from '@nestjs/common';
import { LearnerPhase } from '@vrft/proto';

/**
 * What the learner is doing. Until the training loop exists (issue #6) the
 * learner is idle at step 0 with nothing consumed, and says exactly that.
 */
@Injectable()
export class LearnerState {
  runId = '';
  phase: LearnerPhase = LearnerPhase.IDLE;
  step = 0n;
  rolloutGroupsConsumed = 0n;
  rolloutGroupsDroppedStale = 0n;
}
