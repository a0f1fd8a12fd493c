/**
 * The end of a run: the CoT-SFT JSONL (kept samples, `process` = the revised `<think>` CoT), the
 * RL JSONL (every sample, no CoT) and the report, all built from the stage files so a resumed run
 * covers the work of earlier runs too. Each file appears whole (temporary file, then rename).
 */
import { rename, writeFile } from 'node:fs/promises';
import { extractThink, writeSamples, type SftSample, type VideoSample } from '@vrft/data';
import { type CurateSettings } from './curate-options.js';
import { emptyByType, emptyCounts, formatReportMarkdown, type CurationReport, type SampleFailure } from './report.js';
import { curationPaths } from './curation-paths.js';
import { type CurationStores } from './run-curation.js';

/** Writes the outputs and the report of a run; returns the report. */
export async function writeOutputs(
  samples: VideoSample[],
  stores: CurationStores,
  settings: CurateSettings,
  extra: {
    resumed: number;
    elapsedSec: number;
    stageNames: CurationReport['stages'];
    remote: CurationReport['remote'];
  },
): Promise<CurationReport> {
  const paths = curationPaths(settings.outDir);
  const totals = emptyCounts();
  const byType = emptyByType();
  const drops: Record<string, number> = {};
  const failures: SampleFailure[] = [];
  const claims = { checked: 0, contradicted: 0, revised: 0, samplesRevised: 0 };
  const sft: SftSample[] = [];
  for (const sample of samples) {
    const id = String(sample.problem_id);
    const counts = [totals, byType[sample.problem_type]];
    const bump = (field: keyof typeof totals) => counts.forEach((c) => (c[field] += 1));
    bump('samples');
    const stages = [
      ['describe', stores.describe.get(sample.path)],
      ['draft', stores.draft.get(id)],
      ['revise', stores.revise.get(id)],
      ['filter', stores.filter.get(id)],
    ] as const;
    for (const [stage, record] of stages) {
      if (record === undefined) break;
      if (!record.ok) {
        bump('failed');
        failures.push({
          id,
          stage,
          error: record.error.message,
          ...(record.error.kind ? { kind: record.error.kind } : {}),
          ...(record.error.attempts ? { attempts: record.error.attempts } : {}),
        });
        break;
      }
      if (stage === 'describe') bump('described');
      else if (stage === 'draft') bump('drafted');
      else if (stage === 'revise') {
        bump('revised');
        const r = stores.revise.get(id);
        if (r?.ok) {
          claims.checked += r.value.claimsChecked;
          claims.contradicted += r.value.claimsContradicted;
          claims.revised += r.value.claimsRevised;
          if (r.value.claimsRevised > 0) claims.samplesRevised += 1;
        }
      } else {
        const verdict = stores.filter.get(id);
        if (verdict?.ok && verdict.value.kept) {
          bump('kept');
          const revision = stores.revise.get(id);
          const think = revision?.ok ? extractThink(revision.value.text) : undefined;
          if (think !== undefined) sft.push({ ...sample, process: `<think>${think}</think>` });
        } else if (verdict?.ok) {
          bump('dropped');
          const reason = verdict.value.reason ?? 'dropped';
          drops[reason] = (drops[reason] ?? 0) + 1;
        }
      }
    }
  }
  const sftCount = await writeSamples(paths.sft, sft, { kind: 'sft', fieldOrder: 'canonical' });
  const rlCount = await writeSamples(
    paths.rl,
    samples.map((s) => {
      const { process: _process, ...rest } = s;
      return rest as VideoSample;
    }),
    { kind: 'rl', fieldOrder: 'canonical' },
  );
  const report: CurationReport = {
    dataDir: settings.dataDir,
    outDir: settings.outDir,
    stages: extra.stageNames,
    totals,
    byProblemType: byType,
    claims,
    drops,
    failures,
    resumed: extra.resumed,
    remote: extra.remote,
    elapsedSec: extra.elapsedSec,
    outputs: { sft: paths.sft, rl: paths.rl, sftSamples: sftCount, rlSamples: rlCount },
  };
  await writeAtomic(paths.reportJson, `${JSON.stringify(report, null, 2)}\n`);
  await writeAtomic(paths.reportMd, formatReportMarkdown(report));
  return report;
}

async function writeAtomic(path: string, text: string): Promise<void> {
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, text);
  await rename(temp, path);
}
