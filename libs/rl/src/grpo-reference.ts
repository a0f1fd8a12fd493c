/**
 * GRPO loss in plain Float64 numbers (method.md §5): the slow, obvious version that the
 * TensorFlow.js ops in grpo-tf.ts are tested against, and the place to read the math.
 *
 * Symbols: i indexes the G·P completions of the batch (B rows), t their tokens, n_i the valid
 * tokens of row i. π_θ is the current policy (logp), π_θold the policy at the start of this
 * batch's K inner updates (logpOld), π_ref the frozen reference (logpRef), π_b the policy version
 * that generated the rollout (logpBehaviour, as returned by the actor).
 *
 * Per-token loss:  ℓ_{i,t} = −( w_{i,t} · P_{i,t} − β · KL_{i,t} )
 *   ρ = exp(logp − logp_old)                                   probability ratio
 *   P = min(ρ·A_i, clip(ρ, 1−ε, 1+ε_high)·A_i)  or  ρ·A_i       policy term
 *   x = clamp(logp_ref − logp, −c, c);  KL = exp(x) − x − 1     k3 estimator, c = 10
 *   w = min(exp(logp_old − logp_b), C)                          truncated importance weight
 * The importance weight multiplies the policy term only (as in decoupled PPO and verl's
 * truncated IS): the KL penalty is a regulariser on π_θ and is not re-weighted.
 */
import { GrpoInputError } from './errors.js';
import type { GrpoConfig } from './grpo-config.js';
import type { GrpoMetrics } from './grpo-metrics.js';

/** Per-token values, [B][T] as rows (number[] or Float64Array). */
export type TokenRows = readonly ArrayLike<number>[];

/** Inputs of the reference loss; the tf loss takes the same fields as tensors. */
export interface GrpoReferenceInputs {
  /** log π_θ(o_t | q, o_<t) of the current policy, [B][T]. The only input gradients flow into. */
  readonly logp: TokenRows;
  /** log π_θold, fixed during the K inner updates, [B][T]. Absent: stop_gradient(logp), so ρ ≡ 1 (K = 1). */
  readonly logpOld?: TokenRows;
  /** log π_ref of the frozen reference model, [B][T]. Required when β > 0. */
  readonly logpRef?: TokenRows;
  /** log π_b, the behaviour log-probs the actor sampled with, [B][T]. Given: truncated importance correction. */
  readonly logpBehaviour?: TokenRows;
  /** A_i, one per row, [B]. */
  readonly advantages: ArrayLike<number>;
  /** 1 for completion tokens, 0 for padding (any value > 0 counts as valid), [B][T]. */
  readonly mask: TokenRows;
  /** Full-vocabulary logits of π_θ, [B][T][V], for the entropy metric only. */
  readonly logits?: readonly (readonly ArrayLike<number>[])[];
  /** Per-token entropies already computed (from the learner's log-softmax), [B][T]; instead of `logits`. */
  readonly tokenEntropy?: TokenRows;
  /**
   * What the aggregate is divided by instead of this batch's own count: the number of sequences
   * (sequence-mean) or of valid tokens (token-mean) of the whole optimizer step, so that the
   * micro-batch losses of gradient accumulation sum to the full-batch loss.
   */
  readonly normalizer?: number;
}

/** The GRPO hyperparameters the loss uses (a GrpoConfig fits). */
export type GrpoLossConfig = Pick<
  GrpoConfig,
  | 'beta'
  | 'clipEpsilon'
  | 'clipEpsilonHigh'
  | 'innerUpdates'
  | 'objective'
  | 'aggregation'
  | 'klClamp'
  | 'importanceCap'
>;

/** The reference loss: the scalar, the per-token losses ℓ (0 on padding) and the metrics. */
export interface GrpoReferenceResult {
  readonly loss: number;
  readonly tokenLoss: Float64Array[];
  readonly metrics: GrpoMetrics;
}

/** k3 estimator of KL(π_θ ‖ π_ref) for one token: x = clamp(logp_ref − logp, −c, c); KL = exp(x) − x − 1 ≥ 0. */
export function computeK3Kl(logp: number, logpRef: number, clampBound = 10): number {
  const x = Math.min(Math.max(logpRef - logp, -clampBound), clampBound); // x = clamp(logp_ref − logp, −c, c)
  return Math.exp(x) - x - 1; // KL = exp(x) − x − 1
}

/** One token's policy term and whether the clip was active (the clipped branch was strictly the min). */
export interface PolicyTerm {
  readonly value: number;
  readonly clipped: boolean;
}

/**
 * Policy term for one token.
 * clipped:   P = min(ρ·A, clip(ρ, 1−ε, 1+ε_high)·A); active when A > 0 and ρ > 1+ε_high, or A < 0 and ρ < 1−ε.
 * unclipped: P = ρ·A (never clipped).
 */
export function computePolicyTerm(
  ratio: number,
  advantage: number,
  config: Pick<GrpoConfig, 'objective' | 'clipEpsilon' | 'clipEpsilonHigh'>,
): PolicyTerm {
  const unclipped = ratio * advantage; // ρ·A
  if (config.objective === 'unclipped') return { value: unclipped, clipped: false };
  const clippedRatio = Math.min(Math.max(ratio, 1 - config.clipEpsilon), 1 + config.clipEpsilonHigh);
  const clippedValue = clippedRatio * advantage; // clip(ρ, 1−ε, 1+ε_high)·A
  // Ties go to the unclipped branch, whose gradient still flows (as tf.minimum does).
  return clippedValue < unclipped ? { value: clippedValue, clipped: true } : { value: unclipped, clipped: false };
}

/**
 * Truncated importance weight for a stale rollout token: w = min(π_θold / π_b, C) = min(exp(logp_old − logp_b), C).
 * π_b generated the token (an older weights version, or the same version on another engine);
 * π_θold is the learner's current policy before this batch's updates. No gradient flows through w.
 */
export function computeImportanceWeight(logpOld: number, logpBehaviour: number, cap: number): number {
  return Math.min(Math.exp(logpOld - logpBehaviour), cap); // w = min(exp(logp_old − logp_b), C)
}

/** Entropy of one token's distribution from its logits: H = −Σ_v p_v log p_v, log p = z − logsumexp(z). */
export function computeTokenEntropy(logits: ArrayLike<number>): number {
  let max = -Infinity;
  for (let v = 0; v < logits.length; v++) max = Math.max(max, logits[v] ?? -Infinity);
  let sumExp = 0;
  for (let v = 0; v < logits.length; v++) sumExp += Math.exp((logits[v] ?? 0) - max);
  const logSumExp = max + Math.log(sumExp); // logsumexp(z), shifted by max for stability
  let entropy = 0;
  for (let v = 0; v < logits.length; v++) {
    const logP = (logits[v] ?? 0) - logSumExp; // log p_v = z_v − logsumexp(z)
    entropy -= Math.exp(logP) * logP; // H = −Σ p_v log p_v
  }
  return entropy;
}

/**
 * Per-token weight c_{i,t} of ℓ_{i,t} in the aggregate L = Σ_{i,t} c_{i,t} ℓ_{i,t} (0 on padding).
 * sequence-mean: c = 1 / (N_seq · n_i), N_seq = normalizer ?? B; a row with n_i = 0 contributes 0.
 * token-mean:    c = 1 / N_tok, N_tok = normalizer ?? Σ_i n_i (max 1).
 */
export function computeAggregationWeights(
  mask: TokenRows,
  aggregation: GrpoConfig['aggregation'],
  normalizer?: number,
): Float64Array[] {
  const counts = mask.map((row) => countValid(row)); // n_i
  const total = counts.reduce((a, b) => a + b, 0);
  return mask.map((row, i) => {
    const n = counts[i] ?? 0;
    const c =
      aggregation === 'sequence-mean'
        ? 1 / ((normalizer ?? mask.length) * Math.max(n, 1)) // (1/N_seq) Σ_i (1/n_i) Σ_t
        : 1 / (normalizer ?? Math.max(total, 1)); // (1/N_tok) Σ_{i,t}
    const weights = new Float64Array(row.length);
    for (let t = 0; t < row.length; t++) weights[t] = (row[t] ?? 0) > 0 ? c : 0;
    return weights;
  });
}

/** Aggregates per-token values into one scalar: L = Σ_{i,t} c_{i,t} · values_{i,t} (see computeAggregationWeights). */
export function aggregateTokenValues(
  values: TokenRows,
  mask: TokenRows,
  aggregation: GrpoConfig['aggregation'],
  normalizer?: number,
): number {
  const weights = computeAggregationWeights(mask, aggregation, normalizer);
  let sum = 0;
  weights.forEach((row, i) => row.forEach((c, t) => (sum += c === 0 ? 0 : c * (values[i]?.[t] ?? 0))));
  return sum;
}

/** Everything about one valid token that the loss, its gradient and the metrics need. */
interface TokenTerms {
  readonly ratio: number;
  readonly policy: PolicyTerm;
  readonly kl: number;
  /** dKL/dlogp = (1 − exp(x)) inside the clamp range, 0 outside. */
  readonly klGrad: number;
  readonly weight: number;
  readonly loss: number;
}

function computeTokenTerms(inputs: GrpoReferenceInputs, config: GrpoLossConfig, i: number, t: number): TokenTerms {
  const logp = inputs.logp[i]?.[t] ?? 0;
  const logpOld = inputs.logpOld?.[i]?.[t] ?? logp; // absent: stop_gradient(logp)
  const advantage = inputs.advantages[i] ?? 0;
  const ratio = Math.exp(logp - logpOld); // ρ = exp(logp − logp_old)
  const policy = computePolicyTerm(ratio, advantage, config);
  let kl = 0;
  let klGrad = 0;
  if (config.beta > 0) {
    const logpRef = inputs.logpRef?.[i]?.[t] ?? 0;
    kl = computeK3Kl(logp, logpRef, config.klClamp);
    const d = logpRef - logp;
    // x = logp_ref − logp ⇒ dKL/dlogp = (exp(x) − 1)·(−1), cut by the clamp (inclusive bounds, as tf.clipByValue).
    klGrad = Math.abs(d) <= config.klClamp ? 1 - Math.exp(d) : 0;
  }
  const behaviour = inputs.logpBehaviour?.[i]?.[t];
  const weight = behaviour === undefined ? 1 : computeImportanceWeight(logpOld, behaviour, config.importanceCap);
  const loss = -(weight * policy.value - config.beta * kl); // ℓ = −(w·P − β·KL)
  return { ratio, policy, kl, klGrad, weight, loss };
}

/** The GRPO loss, per-token losses and metrics in Float64 (see the file comment for the equations). */
export function computeGrpoLossReference(inputs: GrpoReferenceInputs, config: GrpoLossConfig): GrpoReferenceResult {
  checkReferenceInputs(inputs, config);
  const acc = { kl: 0, clipped: 0, approxKl: 0, ratio: 0, min: Infinity, max: -Infinity, w: 0, truncated: 0, n: 0 };
  const tokenLoss = inputs.logp.map((row, i) => {
    const out = new Float64Array(row.length);
    for (let t = 0; t < row.length; t++) {
      if (!((inputs.mask[i]?.[t] ?? 0) > 0)) continue;
      const terms = computeTokenTerms(inputs, config, i, t);
      out[t] = terms.loss;
      acc.n += 1;
      acc.kl += terms.kl;
      acc.clipped += terms.policy.clipped ? 1 : 0;
      acc.approxKl += terms.ratio - 1 - Math.log(terms.ratio); // KL(old ‖ new) ≈ (ρ − 1) − log ρ
      acc.ratio += terms.ratio;
      acc.min = Math.min(acc.min, terms.ratio);
      acc.max = Math.max(acc.max, terms.ratio);
      acc.w += terms.weight;
      acc.truncated += inputs.logpBehaviour !== undefined && terms.weight >= config.importanceCap ? 1 : 0;
    }
    return out;
  });
  const loss = aggregateTokenValues(tokenLoss, inputs.mask, config.aggregation, inputs.normalizer);
  const n = Math.max(acc.n, 1);
  const metrics: GrpoMetrics = {
    klMean: acc.kl / n,
    clipFraction: acc.clipped / n,
    approxKl: acc.approxKl / n,
    ratioMean: acc.n === 0 ? 0 : acc.ratio / n,
    ratioMin: acc.n === 0 ? 1 : acc.min,
    ratioMax: acc.n === 0 ? 1 : acc.max,
    importanceWeightMean: acc.n === 0 ? 0 : acc.w / n,
    importanceTruncatedFraction: acc.truncated / n,
    validTokens: acc.n,
    ...entropyMetric(inputs),
  };
  return { loss, tokenLoss, metrics };
}

/**
 * dL/dlogp, derived by hand, [B][T] (0 on padding). With c_{i,t} the aggregation weight:
 *   dL/dlogp = c · ( −w · dP/dlogp + β · dKL/dlogp )
 *   dP/dlogp = ρ·A where the clip is not active (ρ·A when logp_old is absent: ρ ≡ 1 ⇒ A), 0 where it is
 *   dKL/dlogp = 1 − exp(logp_ref − logp) inside the clamp range, 0 outside
 */
export function computeGrpoGradientReference(inputs: GrpoReferenceInputs, config: GrpoLossConfig): Float64Array[] {
  checkReferenceInputs(inputs, config);
  const weights = computeAggregationWeights(inputs.mask, config.aggregation, inputs.normalizer);
  return inputs.logp.map((row, i) => {
    const out = new Float64Array(row.length);
    for (let t = 0; t < row.length; t++) {
      const c = weights[i]?.[t] ?? 0;
      if (c === 0) continue;
      const terms = computeTokenTerms(inputs, config, i, t);
      const dPolicy = terms.policy.clipped ? 0 : terms.ratio * (inputs.advantages[i] ?? 0);
      out[t] = c * (-terms.weight * dPolicy + config.beta * terms.klGrad);
    }
    return out;
  });
}

/** Token-mean of the entropy over valid tokens: (1/N_tok) Σ_{i,t: mask>0} H(z_{i,t}); 0 when none is valid. */
export function computeMaskedEntropy(logits: readonly (readonly ArrayLike<number>[])[], mask: TokenRows): number {
  let sum = 0;
  let n = 0;
  mask.forEach((row, i) => {
    for (let t = 0; t < row.length; t++) {
      if (!((row[t] ?? 0) > 0)) continue;
      const z = logits[i]?.[t];
      if (z === undefined) throw new GrpoInputError(`logits[${i}][${t}]`, 'missing for a valid token');
      sum += computeTokenEntropy(z);
      n += 1;
    }
  });
  return n === 0 ? 0 : sum / n;
}

function entropyMetric(inputs: GrpoReferenceInputs): { entropy?: number } {
  if (inputs.logits !== undefined) return { entropy: computeMaskedEntropy(inputs.logits, inputs.mask) };
  if (inputs.tokenEntropy === undefined) return {};
  const tokenEntropy = inputs.tokenEntropy;
  let sum = 0;
  let n = 0;
  inputs.mask.forEach((row, i) => {
    for (let t = 0; t < row.length; t++) {
      if (!((row[t] ?? 0) > 0)) continue;
      sum += tokenEntropy[i]?.[t] ?? 0;
      n += 1;
    }
  });
  return { entropy: n === 0 ? 0 : sum / n };
}

function countValid(row: ArrayLike<number>): number {
  let n = 0;
  for (let t = 0; t < row.length; t++) if ((row[t] ?? 0) > 0) n += 1;
  return n;
}

function checkReferenceInputs(inputs: GrpoReferenceInputs, config: GrpoLossConfig): void {
  const b = inputs.logp.length;
  if (inputs.advantages.length !== b) {
    throw new GrpoInputError('advantages', `has ${inputs.advantages.length} entries for ${b} rows of logp`);
  }
  checkSameShape('mask', inputs.mask, inputs.logp);
  if (inputs.logpOld !== undefined) checkSameShape('logpOld', inputs.logpOld, inputs.logp);
  if (inputs.logpBehaviour !== undefined) checkSameShape('logpBehaviour', inputs.logpBehaviour, inputs.logp);
  if (inputs.tokenEntropy !== undefined) {
    if (inputs.logits !== undefined)
      throw new GrpoInputError('tokenEntropy', 'give either logits or tokenEntropy, not both');
    checkSameShape('tokenEntropy', inputs.tokenEntropy, inputs.logp);
  }
  if (config.beta > 0) {
    if (inputs.logpRef === undefined) throw new GrpoInputError('logpRef', 'is required when beta > 0');
    checkSameShape('logpRef', inputs.logpRef, inputs.logp);
  }
  if (config.innerUpdates > 1 && inputs.logpOld === undefined) {
    throw new GrpoInputError(
      'logpOld',
      'is required when innerUpdates > 1 (the log-probs from before the first update)',
    );
  }
  if (inputs.normalizer !== undefined && !(inputs.normalizer > 0 && Number.isFinite(inputs.normalizer))) {
    throw new GrpoInputError('normalizer', `must be a finite number > 0, got ${inputs.normalizer}`);
  }
}

function checkSameShape(name: string, rows: TokenRows, like: TokenRows): void {
  if (rows.length !== like.length) throw new GrpoInputError(name, `has ${rows.length} rows, logp has ${like.length}`);
  rows.forEach((row, i) => {
    const expected = like[i]?.length ?? 0;
    if (row.length !== expected)
      throw new GrpoInputError(`${name}[${i}]`, `has ${row.length} tokens, logp has ${expected}`);
  });
}
