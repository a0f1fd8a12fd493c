/** Where a run keeps its stage files and writes its outputs. */
import { join } from 'node:path';

/** Paths of a run under `outDir`. */
export function curationPaths(outDir: string) {
  const stages = join(outDir, 'stages');
  return {
    describe: join(stages, 'describe.jsonl'),
    draft: join(stages, 'draft.jsonl'),
    revise: join(stages, 'revise.jsonl'),
    filter: join(stages, 'filter.jsonl'),
    manifest: join(outDir, 'run.json'),
    sft: join(outDir, 'sft.jsonl'),
    rl: join(outDir, 'rl.jsonl'),
    reportJson: join(outDir, 'report.json'),
    reportMd: join(outDir, 'report.md'),
  };
}
