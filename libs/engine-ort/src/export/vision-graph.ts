/**
 * The vision graph (docs/model.md, "Vision encoder"): frames [B, F, H, W, 3] uint8 → visual
 * tokens [B, F·Nt, D] in the language model's embedding space. F may be any count up to Fmax.
 */
import { patchesPerFrame, visualTokensPerFrame, type ModelConfig, type ModelWeights } from '@vrft/model';
import { GraphBuilder } from '../onnx/graph-builder.js';
import { attention, createWeightLookup, rmsNorm, swiGluMlp } from './blocks.js';

/** Graph input and output names of the vision graph. */
export const VISION_IO = { frames: 'frames', visualTokens: 'visual_tokens' } as const;

/** GELU, tanh approximation: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))). */
function geluTanh(g: GraphBuilder, x: string): string {
  const cube = g.mul(g.mul(x, x), x);
  const inner = g.mul(g.add(x, g.mul(cube, g.scalar(0.044715))), g.scalar(Math.sqrt(2 / Math.PI)));
  return g.mul(g.mul(x, g.scalar(0.5)), g.add(g.scalar(1), g.tanh(inner)));
}

/** Builds the vision graph for a config and its weights. */
export function buildVisionGraph(config: ModelConfig, weights: ModelWeights): GraphBuilder {
  const g = new GraphBuilder('vision');
  const w = createWeightLookup(g, config, weights);
  const { patchSize: p, imageHeight, imageWidth, visionDim: dv, pool } = config;
  const rows = imageHeight / p; // Hp
  const cols = imageWidth / p; // Wp
  const np = patchesPerFrame(config);
  const frames = g.input(VISION_IO.frames, 'uint8', ['batch', 'frames', imageHeight, imageWidth, 3]);

  const patches = g.scoped('patchify', () => {
    // x = (pixel/255 − mean[c])/std[c] over the last (channel) axis, computed as written so both
    // engines round alike.
    const pixels = g.cast(frames, 'float');
    const x = g.div(g.sub(g.div(pixels, g.scalar(255)), g.floats(config.pixelMean)), g.floats(config.pixelStd));
    const grid = g.reshape(x, [0, 0, rows, p, cols, p, 3]); // [B, F, Hp, P, Wp, P, 3]
    const ordered = g.transpose(grid, [0, 1, 2, 4, 3, 5, 6]); // [B, F, Hp, Wp, P, P, 3]
    return g.reshape(ordered, [0, 0, np, p * p * 3]); // [B, F, Np, P·P·3]
  });

  const embedded = g.scoped('embed', () => {
    const h = g.add(g.matMul(patches, w('vision.patch_embed.weight')), w('vision.patch_embed.bias')); // [B, F, Np, Dv]
    const frameCount = g.shape(frames, 1, 2); // [1] = F
    const temporal = g.slice(w('vision.pos_temporal'), g.int64s([0]), frameCount, [0]); // [F, Dv]
    const withSpatial = g.add(h, w('vision.pos_spatial')); // + [Np, Dv]
    const withTemporal = g.add(withSpatial, g.unsqueeze(temporal, [1])); // + [F, 1, Dv]
    return g.reshape(withTemporal, [0, -1, dv]); // [B, F·Np, Dv]
  });

  let h = embedded;
  for (let i = 0; i < config.visionLayers; i++) {
    const prefix = `vision.blocks.${i}`;
    h = g.scoped(prefix, () => {
      // Bidirectional: no mask and no rotary positions inside a clip.
      const heads = config.visionHeads;
      const attended = attention(g, rmsNorm(g, h, w(`${prefix}.norm1.weight`), config.normEps), w, {
        prefix,
        heads,
        headSize: dv / heads,
      });
      const h1 = g.add(h, attended.output);
      return g.add(h1, swiGluMlp(g, rmsNorm(g, h1, w(`${prefix}.norm2.weight`), config.normEps), w, prefix));
    });
  }

  const tokens = g.scoped('pool', () => {
    const normed = rmsNorm(g, h, w('vision.norm.weight'), config.normEps); // [B, F·Np, Dv]
    const groups = g.reshape(normed, [0, -1, rows / pool, pool, cols / pool, pool, dv]); // [B, F, Hq, pool, Wq, pool, Dv]
    const pooled = g.reduceMean(groups, [3, 5], false); // [B, F, Hq, Wq, Dv]
    return g.reshape(pooled, [0, -1, dv]); // [B, F·Nt, Dv]
  });

  const projected = g.scoped('projector', () => {
    const hidden = geluTanh(g, g.add(g.matMul(tokens, w('projector.fc1.weight')), w('projector.fc1.bias')));
    return g.add(g.matMul(hidden, w('projector.fc2.weight')), w('projector.fc2.bias')); // [B, F·Nt, D]
  });
  const visual = ['batch', `frames*${visualTokensPerFrame(config)}`, config.dModel];
  g.output(projected, VISION_IO.visualTokens, 'float', visual);
  return g;
}
