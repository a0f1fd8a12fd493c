/**
 * Registers tfjs-core's own gradient functions for exactly GRPO_LOSS_GRADIENT_KERNELS (test only:
 * these ESM files load under vitest but not in plain Node, see gradient-kernels.ts). Registering
 * no more than the list proves the list is sufficient whenever a test differentiates the loss.
 */
import * as tf from '@tensorflow/tfjs-core';
import { clipByValueGradConfig } from '@tensorflow/tfjs-core/dist/gradients/ClipByValue_grad.js';
import { expGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Exp_grad.js';
import { identityGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Identity_grad.js';
import { minimumGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Minimum_grad.js';
import { multiplyGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Multiply_grad.js';
import { negGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Neg_grad.js';
import { divGradConfig } from '@tensorflow/tfjs-core/dist/gradients/RealDiv_grad.js';
import { selectGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Select_grad.js';
import { subGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Sub_grad.js';
import { sumGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Sum_grad.js';

const CONFIGS: readonly tf.GradConfig[] = [
  selectGradConfig,
  identityGradConfig,
  subGradConfig,
  expGradConfig,
  multiplyGradConfig,
  clipByValueGradConfig,
  minimumGradConfig,
  negGradConfig,
  sumGradConfig,
  divGradConfig,
];

/** Registers the loss's gradients; returns the kernel names registered. */
export function registerLossGradients(): string[] {
  for (const config of CONFIGS) tf.registerGradient(config);
  return CONFIGS.map((config) => config.kernelName);
}
