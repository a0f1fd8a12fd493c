/**
 * Benchmark of the curation pipeline's built-in stages: clips per second of the perception pass,
 * samples per second of the writer and of the reviser (in memory, rendered frames), and the whole
 * resumable runner on a dataset directory (scene files; and mp4 clips decoded by ffmpeg), where
 * the fsync'd stage lines and the decodes show up. Also the revision's false-claim figures on the
 * same clips are NOT measured here (they need the scene graph as an oracle: see the tests).
 *
 * Run after the build:
 *   node libs/curation/dist/bench/curate-bench.js [--clips 40] [--runner-clips 20] [--concurrency 1,2] [--difficulty medium]
 * Prints figures, asserts nothing.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import {
  DIFFICULTIES,
  generateClip,
  generateDataset,
  parseSyntheticOptions,
  renderScene,
  toVideoSamples,
  type Difficulty,
} from '@vrft/data';
import { type FrameSet } from '../frame-source.js';
import { perceiveClip } from '../perception/perceive-clip.js';
import { runCuration } from '../pipeline/run-curation.js';
import { reviseDraft } from '../revise/revise-draft.js';
import { writeDraft } from '../writer/write-draft.js';

interface BenchArgs {
  clips: number;
  runnerClips: number;
  concurrency: number[];
  difficulty: Difficulty;
}

function parseBenchArgs(args: string[]): BenchArgs {
  const { values } = parseArgs({
    args,
    options: {
      clips: { type: 'string', default: '40' },
      'runner-clips': { type: 'string', default: '20' },
      concurrency: { type: 'string', default: '1,2' },
      difficulty: { type: 'string', default: 'medium' },
    },
  });
  const difficulty = values.difficulty as Difficulty;
  if (!DIFFICULTIES.includes(difficulty)) throw new Error(`--difficulty: expected one of ${DIFFICULTIES.join(', ')}`);
  const clips = Number(values.clips);
  const runnerClips = Number(values['runner-clips']);
  const concurrency = values.concurrency.split(',').map(Number);
  if (![clips, runnerClips, ...concurrency].every((n) => Number.isInteger(n) && n > 0)) {
    throw new Error('--clips, --runner-clips and --concurrency take positive integers');
  }
  return { clips, runnerClips, concurrency, difficulty };
}

function line(label: string, count: number, unit: string, ms: number): void {
  const rate = count / (ms / 1000);
  console.log(
    `${label.padEnd(48)} ${count} ${unit} in ${(ms / 1000).toFixed(2)} s → ${rate.toFixed(1)} ${unit}/s (${(ms / count).toFixed(1)} ms each)`,
  );
}

/** Runs every measurement and prints one line each. */
export async function main(argv: string[] = process.argv.slice(2)): Promise<void> {
  const args = parseBenchArgs(argv);
  const synthetic = parseSyntheticOptions({ difficulty: args.difficulty });
  console.log(
    `curation benchmark: ${args.difficulty} clips, ${synthetic.questions.questionsPerClip} questions/clip, ${availableParallelism()} cores`,
  );
  const clips = Array.from({ length: args.clips }, (_, i) => generateClip('train', i, synthetic));
  const sets: FrameSet[] = clips.map((clip) => ({
    frames: renderScene(clip.scene),
    times: clip.scene.frames.map((f) => f.index / clip.scene.fps),
    fps: clip.scene.fps,
    durationSec: clip.scene.frameCount / clip.scene.fps,
    width: clip.scene.width,
    height: clip.scene.height,
  }));
  let t0 = performance.now();
  const reps = sets.map((set) => perceiveClip(set));
  line('describe (perception pass)', args.clips, 'clips', performance.now() - t0);
  const samples = clips.flatMap((clip, i) =>
    toVideoSamples(clip).map((sample) => ({ sample, rep: reps[i], set: sets[i] })),
  );
  t0 = performance.now();
  const drafts = samples.map(({ sample, rep }) => (rep ? writeDraft(sample, rep) : undefined));
  line('draft (five-stage writer)', samples.length, 'samples', performance.now() - t0);
  t0 = performance.now();
  let claims = 0;
  samples.forEach(({ set }, i) => {
    const draft = drafts[i];
    if (draft && set) claims += reviseDraft(draft.text, set).claimsChecked;
  });
  line('revise (claims checked against all frames)', samples.length, 'samples', performance.now() - t0);
  console.log(`  ${(claims / samples.length).toFixed(1)} claims checked per sample`);

  const dir = await mkdtemp(join(tmpdir(), 'vrft-curate-bench-'));
  try {
    for (const encode of [false, true]) {
      const data = join(dir, encode ? 'mp4' : 'scenes');
      await generateDataset({
        outDir: data,
        count: args.runnerClips,
        encode,
        synthetic: { difficulty: args.difficulty },
      });
      for (const concurrency of args.concurrency) {
        const out = join(dir, `out-${encode ? 'mp4' : 'scenes'}-${concurrency}`);
        t0 = performance.now();
        const report = await runCuration({ dataDir: data, outDir: out, concurrency });
        line(
          `runner, ${encode ? 'mp4 via ffmpeg' : 'scene files'}, concurrency ${concurrency}`,
          report.totals.samples,
          'samples',
          performance.now() - t0,
        );
        console.log(
          `  kept ${report.totals.kept}/${report.totals.samples}, claims rewritten ${report.claims.revised}/${report.claims.checked}`,
        );
        t0 = performance.now();
        await runCuration({ dataDir: data, outDir: out, concurrency });
        console.log(`  resume of a finished run (all skipped): ${(performance.now() - t0).toFixed(0)} ms`);
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
