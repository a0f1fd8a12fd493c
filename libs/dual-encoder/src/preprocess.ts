/**
 * What goes into the encoders: frames as normalised NCHW float pixels (SigLIP's pixel_values),
 * patches cut from them for the tfjs tower, and token ids padded or cut to M positions.
 */
import { normalise, type RgbFrames } from '@vrft/video';
import { type TextTokenizer } from '@vrft/tokenizer';
import { EncoderInputError } from './errors.js';

/**
 * What the encoders need of a tokenizer: @vrft/tokenizer's byte-level BPE (ours) or Unigram (a
 * public SigLIP export's) both fit.
 */
export type { TextTokenizer } from '@vrft/tokenizer';

/** Preprocessing settings shared by every encoder (ours and external). */
export interface PixelSettings {
  readonly imageSize: number;
  readonly pixelMean: readonly number[];
  readonly pixelStd: readonly number[];
}

/**
 * pixel_values [F, 3, S, S] of RGB uint8 frames [F, S, S, 3]: y = (x/255 − mean_c)/std_c (the
 * scaling to [0, 1] happens exactly once, in @vrft/video's normalise). Frames must already be
 * S × S (the video reader resizes); anything else is an EncoderInputError.
 */
export function toPixelValues(frames: RgbFrames, settings: PixelSettings, field = 'frames'): Float32Array {
  const [count, height, width] = frames.shape;
  if (height !== settings.imageSize || width !== settings.imageSize) {
    throw new EncoderInputError(
      field,
      `frames are ${width}×${height}, the encoder takes ${settings.imageSize}×${settings.imageSize}`,
    );
  }
  if (count < 1) throw new EncoderInputError(field, 'no frames');
  return normalise(frames, settings.pixelMean, settings.pixelStd, { layout: 'nchw' }).data;
}

/**
 * Patches [F, Np, P·P·3] of pixel_values [F, 3, S, S], patch (r, c) at index r·(S/P) + c, values
 * in (dy, dx, channel) order — the order of the ONNX graph's reshape/transpose/reshape.
 */
export function patchify(pixels: Float32Array, count: number, imageSize: number, patchSize: number): Float32Array {
  const side = imageSize / patchSize;
  const plane = imageSize * imageSize;
  const patchValues = patchSize * patchSize * 3;
  const out = new Float32Array(count * side * side * patchValues);
  let o = 0;
  for (let f = 0; f < count; f++) {
    const base = f * 3 * plane;
    for (let r = 0; r < side; r++) {
      for (let c = 0; c < side; c++) {
        for (let dy = 0; dy < patchSize; dy++) {
          const y = r * patchSize + dy;
          for (let dx = 0; dx < patchSize; dx++) {
            const x = c * patchSize + dx;
            for (let ch = 0; ch < 3; ch++) out[o++] = pixels[base + ch * plane + y * imageSize + x] as number;
          }
        }
      }
    }
  }
  return out;
}

/**
 * Token ids of texts laid out the way the text graph takes them, [B·M] row-major: the tokenizer
 * template's leading ids, the text's ids cut to fit, the template's trailing ids (SigLIP's
 * `</s>`), then `padId` up to M. `lengths[i]` counts the positions before the padding (the
 * attention mask's ones).
 */
export function tokenizeTexts(
  tokenizer: TextTokenizer,
  texts: readonly string[],
  maxTokens: number,
  padId: number,
  field = 'texts',
): { ids: Int32Array; lengths: number[] } {
  const template = tokenizer.template;
  if (template === undefined) {
    throw new EncoderInputError('tokenizer', 'its post_processor is not supported, so the template ids are unknown');
  }
  const room = maxTokens - template.before.length - template.after.length;
  if (room < 1) {
    throw new EncoderInputError('tokenizer', `M = ${maxTokens} leaves no room for text next to the template's ids`);
  }
  const ids = new Int32Array(texts.length * maxTokens).fill(padId);
  const lengths = texts.map((text, i) => {
    if (typeof text !== 'string' || text.trim() === '') throw new EncoderInputError(`${field}[${i}]`, 'empty text');
    // A literal pad token in the text would read as padding; it carries nothing, so drop it.
    const tokens = tokenizer
      .encode(text)
      .filter((id) => id !== padId)
      .slice(0, room);
    if (tokens.length === 0) throw new EncoderInputError(`${field}[${i}]`, 'the tokenizer gave no tokens');
    const row = [...template.before, ...tokens, ...template.after];
    ids.set(row, i * maxTokens);
    return row.length;
  });
  return { ids, lengths };
}

/** The text of a span's first `maxTokens` tokens (the recipe's cut to M), decoded back to text. */
export function truncateToTokens(tokenizer: TextTokenizer, text: string, maxTokens: number): string {
  const tokens = tokenizer.encode(text);
  return tokens.length <= maxTokens ? text : tokenizer.decode(tokens.slice(0, maxTokens));
}
