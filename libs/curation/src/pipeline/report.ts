/**
 * The run report: how many samples each stage took in and passed on, per problem type; the claims
 * the reviser checked and rewrote; why samples were dropped; and every failure with its sample and
 * stage. Written as JSON (for tools) and Markdown (for people).
 */
import { PROBLEM_TYPE_NAMES, type ProblemTypeName } from '@vrft/data';

/** Counts of one problem type (or of all). */
export interface StageCounts {
  samples: number;
  described: number;
  drafted: number;
  revised: number;
  kept: number;
  dropped: number;
  failed: number;
}

/** One sample that a stage could not process. */
export interface SampleFailure {
  id: string;
  /** The first stage without a usable record (frame loading counts as part of describe). */
  stage: 'describe' | 'draft' | 'revise' | 'filter';
  error: string;
  kind?: string;
  attempts?: number;
}

/** The report of a curation run. */
export interface CurationReport {
  dataDir: string;
  outDir: string;
  stages: { describer: string; writer: string; reviser: string };
  totals: StageCounts;
  byProblemType: Record<ProblemTypeName, StageCounts>;
  claims: { checked: number; contradicted: number; revised: number; samplesRevised: number };
  drops: Record<string, number>;
  failures: SampleFailure[];
  /** Samples found done in the work directory when this run started. */
  resumed: number;
  remote: { requests: number; retries: number; failures: number } | undefined;
  elapsedSec: number;
  outputs: { sft: string; rl: string; sftSamples: number; rlSamples: number };
}

/** Zeroed counts. */
export function emptyCounts(): StageCounts {
  return { samples: 0, described: 0, drafted: 0, revised: 0, kept: 0, dropped: 0, failed: 0 };
}

/** Zeroed counts for every problem type. */
export function emptyByType(): Record<ProblemTypeName, StageCounts> {
  return Object.fromEntries(PROBLEM_TYPE_NAMES.map((t) => [t, emptyCounts()])) as Record<ProblemTypeName, StageCounts>;
}

function row(cells: readonly (string | number)[]): string {
  return `| ${cells.map((c) => String(c).replaceAll('|', '\\|')).join(' | ')} |`;
}

/** The report as Markdown tables. */
export function formatReportMarkdown(report: CurationReport): string {
  const head = ['problem type', 'samples', 'described', 'drafted', 'revised', 'kept', 'dropped', 'failed'];
  const counts = (name: string, c: StageCounts) =>
    row([name, c.samples, c.described, c.drafted, c.revised, c.kept, c.dropped, c.failed]);
  const lines = [
    '# CoT curation report',
    '',
    `Data: \`${report.dataDir}\` → out: \`${report.outDir}\``,
    `Stages: describer \`${report.stages.describer}\`, writer \`${report.stages.writer}\`, reviser \`${report.stages.reviser}\`.`,
    `Resumed samples: ${report.resumed}. Elapsed: ${report.elapsedSec.toFixed(1)} s.`,
    '',
    '## Samples per stage',
    '',
    row(head),
    row(head.map(() => '---')),
    ...PROBLEM_TYPE_NAMES.map((t) => counts(t, report.byProblemType[t])),
    counts('**all**', report.totals),
    '',
    '## Cross-modal revision',
    '',
    row(['claims checked', 'contradicted', 'rewritten', 'samples revised']),
    row(['---', '---', '---', '---']),
    row([report.claims.checked, report.claims.contradicted, report.claims.revised, report.claims.samplesRevised]),
    '',
    '## Drop reasons',
    '',
    row(['reason', 'samples']),
    row(['---', '---']),
    ...Object.entries(report.drops).map(([reason, n]) => row([reason, n])),
    '',
    '## Failures',
    '',
  ];
  if (report.failures.length === 0) lines.push('None.');
  else {
    lines.push(row(['sample', 'stage', 'error']), row(['---', '---', '---']));
    for (const f of report.failures) lines.push(row([f.id, f.stage, f.error]));
  }
  if (report.remote) {
    lines.push(
      '',
      `Remote calls: ${report.remote.requests} requests, ${report.remote.retries} retries, ${report.remote.failures} failed calls.`,
    );
  }
  lines.push(
    '',
    `Outputs: \`${report.outputs.sft}\` (${report.outputs.sftSamples} CoT-SFT samples), \`${report.outputs.rl}\` (${report.outputs.rlSamples} RL samples).`,
    '',
  );
  return lines.join('\n');
}
