/**
 * `vrft curate`: the CoT curation pipeline (describe → draft → revise → filter) over a dataset
 * directory, resumable after a kill. main.ts calls {@link runCurateCommand} with the arguments
 * after `curate`; progress lines go to `err`, the summary table to `out`.
 */
import { CurationOptionsError, runCuration, type CurateProgress, type CurationReport } from '@vrft/curation';
import { PROBLEM_TYPE_NAMES } from '@vrft/data';
import { CURATE_USAGE, CurateUsageError, parseCurateArgs } from '../curate/curate-args.js';
import { formatTable } from '../table.js';

const EX_USAGE = 64;

/** Where the command writes and what it may read from the environment. */
export interface CurateCommandIo {
  out: { write(text: string): unknown };
  err: { write(text: string): unknown };
  /** Environment (for the API key variable). */
  env: Readonly<Record<string, string | undefined>>;
  /** Milliseconds clock for progress throttling. Default `performance.now`. */
  clock?: () => number;
}

/** Runs `vrft curate …`; returns the exit code (0 ok, 1 failure, 64 bad usage). */
export async function runCurateCommand(args: readonly string[], io: CurateCommandIo): Promise<number> {
  if (args[0] === '--help' || args[0] === 'help') {
    io.out.write(CURATE_USAGE);
    return 0;
  }
  try {
    const { options, progressSeconds } = parseCurateArgs(args, io.env);
    io.err.write(`curating ${options.dataDir} → ${options.outDir}\n`);
    const report = await runCuration({
      ...options,
      onProgress: createCurateProgressPrinter(io.err, progressSeconds, io.clock),
    });
    io.out.write(`${formatCurateSummary(report)}\n`);
    return 0;
  } catch (error) {
    if (error instanceof CurateUsageError || error instanceof CurationOptionsError) {
      io.err.write(`vrft curate: ${error.message}\n${error instanceof CurateUsageError ? CURATE_USAGE : ''}`);
      return EX_USAGE;
    }
    io.err.write(`vrft curate: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

/** A progress callback that prints at most one line per `seconds` (and always the last one). */
export function createCurateProgressPrinter(
  err: { write(text: string): unknown },
  seconds: number,
  clock: () => number = () => performance.now(),
): (progress: CurateProgress) => void {
  let last = Number.NEGATIVE_INFINITY;
  return (p) => {
    const now = clock();
    if (p.done < p.total && now - last < seconds * 1000) return;
    last = now;
    err.write(`${formatCurateProgress(p)}\n`);
  };
}

/** One progress line: done/total, kept, failed, rate and ETA. */
export function formatCurateProgress(p: CurateProgress): string {
  const percent = p.total === 0 ? 100 : (100 * p.done) / p.total;
  const eta = p.etaSec === undefined ? '?' : `${Math.ceil(p.etaSec)} s`;
  const resumed = p.resumed > 0 ? ` (${p.resumed} resumed)` : '';
  return `curate: ${p.done}/${p.total} samples (${percent.toFixed(0)}%)${resumed}, kept ${p.kept}, failed ${p.failed}, ${p.rate.toFixed(2)} samples/s, ETA ${eta}`;
}

/** The end-of-run table: samples per stage and problem type, claims, drops, outputs. */
export function formatCurateSummary(report: CurationReport): string {
  const header = ['problem type', 'samples', 'described', 'drafted', 'revised', 'kept', 'dropped', 'failed'];
  const rows = [
    ...PROBLEM_TYPE_NAMES.map((t) => [t, report.byProblemType[t]] as const),
    ['all', report.totals] as const,
  ].map(([name, c]) => [name, c.samples, c.described, c.drafted, c.revised, c.kept, c.dropped, c.failed].map(String));
  const drops = Object.entries(report.drops)
    .map(([reason, n]) => `${reason} ${n}`)
    .join(', ');
  return [
    formatTable(header, rows),
    '',
    `claims checked ${report.claims.checked}, contradicted ${report.claims.contradicted}, rewritten ${report.claims.revised} (in ${report.claims.samplesRevised} samples)`,
    `dropped: ${drops === '' ? 'none' : drops}; failed: ${report.failures.length}`,
    `wrote ${report.outputs.sft} (${report.outputs.sftSamples} CoT-SFT samples), ${report.outputs.rl} (${report.outputs.rlSamples} RL samples)`,
    `report: ${report.outDir}/report.json, ${report.outDir}/report.md`,
  ].join('\n');
}
