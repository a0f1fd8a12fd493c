/** Seeded weight initialisation of the layout in weight-specs.ts. */
import { type ModelConfig } from './config.js';
import { ModelConfigError } from './errors.js';
import { createSeededRandom, hashString } from './random.js';
import { shapeSize, weightKind, weightSpecs, type ModelWeights } from './weight-specs.js';

/** Standard deviation of matrices and embeddings (GPT-2's). */
export const INIT_STD = 0.02;

/**
 * Fresh weights for a config, the same for the same seed:
 * - matrices, embeddings and positions ~ N(0, 0.02²);
 * - output projections (`attn.wo`, `mlp.w2`) ~ N(0, (0.02/√(2·layers))²), as GPT-2 scales the
 *   writes into the residual stream so its variance does not grow with depth;
 * - biases 0, norm weights 1.
 * Each tensor draws from its own stream seeded by (seed, name), so a tensor's values do not
 * depend on which other tensors exist.
 */
export function initWeights(config: ModelConfig, seed: number): ModelWeights {
  if (!Number.isInteger(seed)) throw new ModelConfigError('seed', `expected an integer, got ${seed}`);
  const weights: ModelWeights = new Map();
  for (const spec of weightSpecs(config)) {
    const data = new Float32Array(shapeSize(spec.shape));
    const kind = weightKind(spec.name);
    if (kind === 'norm') data.fill(1);
    else if (kind !== 'bias') {
      const layers = spec.name.startsWith('vision.') ? config.visionLayers : config.numLayers;
      const std = kind === 'output-projection' ? INIT_STD / Math.sqrt(2 * layers) : INIT_STD;
      const random = createSeededRandom(hashString(spec.name, seed >>> 0));
      for (let i = 0; i < data.length; i++) data[i] = std * random.normal();
    }
    weights.set(spec.name, data);
  }
  return weights;
}
