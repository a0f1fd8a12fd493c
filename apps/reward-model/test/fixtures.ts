/** A small real encoder directory and a real mp4 clip of the synthetic world, for the app tests. */
import { join } from 'node:path';
import { ProblemType } from '@vrft/proto';
import { generateClip, parseSyntheticOptions, renderScene } from '@vrft/data';
import { writeSeededEncoder } from '@vrft/dual-encoder';
import { encodeFramesToVideo } from '@vrft/video';

/** Writes an untrained (seeded, scaled) 16×16 encoder to dir/encoder and returns that path. */
export async function writeTestEncoder(dir: string): Promise<string> {
  return writeSeededEncoder(join(dir, 'encoder'), {
    seed: 11,
    maxTextTokens: 24,
    weightScale: 8,
    extraTexts: ['Let me look. The answer is B.'],
  });
}

/** An h264 mp4 of one synthetic clip (64×64, 8 fps). */
export async function writeTestClip(seed = 3): Promise<Uint8Array> {
  const clip = generateClip('test', seed, parseSyntheticOptions({ difficulty: 'easy' }));
  const frames = renderScene(clip.scene);
  return encodeFramesToVideo(frames, { fps: clip.scene.fps, codec: 'h264', container: 'mp4' });
}

/** A multiple-choice group of three: two right (with a description), one wrong. */
export function createGroup(video: Uint8Array) {
  return {
    problemType: ProblemType.MULTIPLE_CHOICE,
    solution: '<answer>B</answer>',
    video: { source: { case: 'inlineBytes' as const, value: video } },
    completions: [
      { text: '<think>Let me look. A red circle at the top left moving right.</think><answer>B</answer>' },
      { text: '<think>First. The sign reads EXIT 3 and the counter shows 0.</think><answer>B</answer>' },
      { text: '<think>Hmm. A blue square.</think><answer>A</answer>' },
    ],
  };
}
