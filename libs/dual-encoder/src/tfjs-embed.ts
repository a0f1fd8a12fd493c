/** Embedding many frames and texts with the tfjs towers, in chunks (evaluation and parity). */
import * as tf from '@tensorflow/tfjs-core';
import { type DualEncoderConfig } from './encoder-config.js';
import { patchify, toPixelValues, tokenizeTexts, type TextTokenizer } from './preprocess.js';
import { encodeImagesTf, encodeTextsTf, type TensorWeights } from './tfjs-encoder.js';

/** Image embeddings of RGB frames [N, S, S, 3], `chunk` frames per forward pass. */
export function embedFramesTf(
  config: DualEncoderConfig,
  weights: TensorWeights,
  frames: Uint8Array,
  count: number,
  chunk = 64,
): Float32Array[] {
  const { imageSize: s } = config;
  const out: Float32Array[] = [];
  for (let start = 0; start < count; start += chunk) {
    const n = Math.min(chunk, count - start);
    const data = frames.subarray(start * s * s * 3, (start + n) * s * s * 3);
    const pixels = toPixelValues({ data, shape: [n, s, s, 3] }, config);
    const patches = patchify(pixels, n, s, config.patchSize);
    const embeds = tf.tidy(() => {
      const input = tf.tensor3d(patches, [
        n,
        patches.length / n / (config.patchSize ** 2 * 3),
        config.patchSize ** 2 * 3,
      ]);
      return encodeImagesTf(config, weights, input);
    });
    out.push(...splitRows(embeds.dataSync() as Float32Array, n));
    embeds.dispose();
  }
  return out;
}

/** Text embeddings, `chunk` texts per forward pass. */
export function embedTextsTf(
  config: DualEncoderConfig,
  weights: TensorWeights,
  tokenizer: TextTokenizer,
  texts: readonly string[],
  chunk = 64,
): Float32Array[] {
  const out: Float32Array[] = [];
  for (let start = 0; start < texts.length; start += chunk) {
    const part = texts.slice(start, start + chunk);
    const { ids } = tokenizeTexts(tokenizer, part, config.maxTextTokens, config.padId);
    const embeds = tf.tidy(() =>
      encodeTextsTf(config, weights, tf.tensor2d(ids, [part.length, config.maxTextTokens], 'int32')),
    );
    out.push(...splitRows(embeds.dataSync() as Float32Array, part.length));
    embeds.dispose();
  }
  return out;
}

/** Rows of a row-major [N, E] array. */
export function splitRows(data: Float32Array, rows: number): Float32Array[] {
  const width = data.length / rows;
  return Array.from({ length: rows }, (_, i) => data.slice(i * width, (i + 1) * width));
}
