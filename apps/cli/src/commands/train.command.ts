/**
 * `vrft train tokenizer|pretrain|sft|grpo|eval|compare|plot`: the learner's stages on the command
 * line (@vrft/learner-core), the paired comparison of evaluations, and the plot of training curves. main.ts calls
 * {@link runTrainCommand} with the arguments after `train`;
 * `node apps/cli/dist/train/train-entry.js …` runs it directly. Progress goes to `err`, results
 * to `out`. Every stage resumes from its run directory's latest checkpoint.
 */
import { appendFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { readSamples } from '@vrft/data';
import { OrtEngine } from '@vrft/engine-ort';
import { EngineOptionsError, selectBackend } from '@vrft/engine-tfjs';
import {
  ClipFrameLoader,
  evaluateAccuracy,
  plainPrompt,
  runLocalGrpo,
  runPretrainStage,
  runSftStage,
  trainTokenizerStage,
  TrainingCheckpointError,
  TrainingDataError,
  TrainingOptionsError,
  withOtherClipsVideos,
  type AccuracyReport,
  type LineSink,
} from '@vrft/learner-core';
import {
  compareCompletions,
  CompletionsFileError,
  formatAnswerConcentration,
  formatComparison,
  readCompletionScores,
} from '../report/paired-comparison.js';
import { curvePanels, readRunCurves, RunMetricsError } from '../report/run-curves.js';
import { renderLineCharts } from '../report/svg-chart.js';
import { formatTable } from '../table.js';
import {
  compareArgs,
  evaluationSamplingFlags,
  grpoArgs,
  numberFlag,
  parseTrainArgs,
  plotArgs,
  pretrainArgs,
  requiredFlag,
  sftArgs,
  stringFlag,
  tokenizerArgs,
  TRAIN_USAGE,
  TrainUsageError,
  type RawTrainArgs,
} from '../train/train-args.js';

const EX_USAGE = 64;

/** Where the command writes. */
export interface TrainCommandIo {
  out: LineSink;
  err: LineSink;
}

/** Runs `vrft train …`; returns the exit code (0 ok, 1 failure, 64 bad usage). */
export async function runTrainCommand(args: readonly string[], io: TrainCommandIo): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === '--help' || sub === 'help') {
    io.out.write(TRAIN_USAGE);
    return 0;
  }
  try {
    if (sub === 'plot') return await runPlot(rest, io);
    if (sub === 'compare') return await runCompare(rest, io);
    const raw = parseTrainArgs(rest);
    const progress = withProgressFile(io.err, stringFlag(raw, 'progress'));
    switch (sub) {
      case 'tokenizer':
        return await runTokenizer(raw, io);
      case 'pretrain':
        await startBackend(progress);
        return report(io, 'pretrain', await runPretrainStage(pretrainArgs(raw), progress));
      case 'sft':
        await startBackend(progress);
        return report(io, 'sft', await runSftStage(sftArgs(raw), progress));
      case 'grpo': {
        const options = grpoArgs(raw);
        await startBackend(progress);
        const result = await runLocalGrpo(options, progress);
        io.out.write(
          `grpo: ${result.step} steps (resumed from ${result.resumedFrom}); final weights ${result.finalDir}\n`,
        );
        if (result.startAccuracy)
          io.out.write(`held-out accuracy at the start: ${result.startAccuracy.accuracy.toFixed(4)}\n`);
        if (result.endAccuracy)
          io.out.write(`held-out accuracy at the end: ${result.endAccuracy.accuracy.toFixed(4)}\n`);
        if (result.best)
          io.out.write(
            `best held-out accuracy ${result.best.accuracy.toFixed(4)} at step ${result.best.step}: ${result.best.dir}\n`,
          );
        return 0;
      }
      case 'eval':
        return await runEval(raw, io, progress);
      default:
        io.err.write(`vrft train: unknown stage ${JSON.stringify(sub)}\n${TRAIN_USAGE}`);
        return EX_USAGE;
    }
  } catch (error) {
    if (error instanceof EngineOptionsError) {
      io.err.write(`vrft train ${sub}: ${error.message}\n`);
      return EX_USAGE;
    }
    if (error instanceof TrainUsageError || error instanceof TrainingOptionsError) {
      io.err.write(`vrft train ${sub}: ${error.message}\n`);
      return EX_USAGE;
    }
    if (
      error instanceof TrainingCheckpointError ||
      error instanceof TrainingDataError ||
      error instanceof RunMetricsError ||
      error instanceof CompletionsFileError
    ) {
      io.err.write(`vrft train ${sub}: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

/** A sink that also appends to a file (for long runs watched with tail -f). */
function withProgressFile(err: LineSink, path: string | undefined): LineSink {
  if (path === undefined) return err;
  return {
    write: (text: string) => {
      appendFileSync(path, text);
      return err.write(text);
    },
  };
}

async function startBackend(err: LineSink): Promise<void> {
  const selection = await selectBackend();
  err.write(`tfjs backend: ${selection.candidate}\n`);
}

function report(
  io: TrainCommandIo,
  stage: string,
  result: {
    step: number;
    finalDir: string;
    bestDir?: string;
    bestScore?: number;
    stoppedEarly: boolean;
    resumedFrom: number;
  },
): number {
  io.out.write(
    `${stage}: ${result.step} steps (resumed from ${result.resumedFrom})${result.stoppedEarly ? ', stopped early' : ''}; final weights ${result.finalDir}` +
      `${result.bestDir ? `; best ${result.bestDir} (score ${result.bestScore?.toFixed(4)})` : ''}\n`,
  );
  return 0;
}

async function runPlot(args: readonly string[], io: TrainCommandIo): Promise<number> {
  const options = plotArgs(args);
  const runs = await Promise.all(options.runs.map((dir, i) => readRunCurves(dir, options.labels[i])));
  const panels = curvePanels(runs, options.smooth);
  if (panels.length === 0) throw new RunMetricsError(`no known metric in ${options.runs.join(', ')}`);
  await writeFile(options.out, renderLineCharts(panels, { title: options.title, columns: options.columns }));
  io.out.write(`plot: ${panels.length} panels of ${runs.length} runs → ${options.out}\n`);
  return 0;
}

async function runCompare(args: readonly string[], io: TrainCommandIo): Promise<number> {
  const options = compareArgs(args);
  const baseline = await readCompletionScores(options.baseline, options.labels[0]);
  const candidates = await Promise.all(
    options.candidates.map((path, i) => readCompletionScores(path, options.labels[i + 1])),
  );
  const rows = compareCompletions(baseline, candidates);
  io.out.write(`${formatComparison(rows)}\n`);
  const concentration = formatAnswerConcentration(rows);
  if (concentration !== '') io.out.write(`\n${concentration}\n`);
  if (options.json !== undefined) {
    const json = rows.map((row) => ({
      ...row,
      byProblemType: Object.fromEntries(row.byProblemType),
      topAnswerShare: Object.fromEntries(row.topAnswerShare),
    }));
    await writeFile(options.json, `${JSON.stringify(json, null, 2)}\n`);
  }
  return 0;
}

async function runTokenizer(raw: RawTrainArgs, io: TrainCommandIo): Promise<number> {
  const { tokenizer, texts, path } = await trainTokenizerStage(tokenizerArgs(raw));
  io.out.write(`tokenizer: ${tokenizer.vocabSize} ids from ${texts} texts → ${path}\n`);
  return 0;
}

/** The accuracy table: one row per problem type and the total. */
export function formatAccuracy(report: AccuracyReport): string {
  const rows = Object.entries(report.byProblemType)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([type, { samples, accuracy }]) => [type, String(samples), accuracy.toFixed(4)]);
  return [
    formatTable(
      ['problem type', 'samples', 'accuracy'],
      [...rows, ['all', String(report.samples), report.accuracy.toFixed(4)]],
    ),
    `format rate ${report.formatRate.toFixed(4)}, mean completion ${report.meanCompletionTokens.toFixed(1)} tokens`,
  ].join('\n');
}

async function runEval(raw: RawTrainArgs, io: TrainCommandIo, progress: LineSink): Promise<number> {
  const checkpoint = requiredFlag(raw, 'checkpoint');
  const limit = numberFlag(raw, 'limit');
  const read = (await readSamples(requiredFlag(raw, 'samples'), { kind: 'eval' })).slice(0, limit ?? undefined);
  const samples = raw.values['other-clip'] === true ? withOtherClipsVideos(read) : read;
  if (samples.length === 0 && read.length > 0)
    throw new TrainUsageError('--other-clip needs samples of at least two different clips');
  const threads = numberFlag(raw, 'threads');
  const engine = await OrtEngine.open(
    { kind: 'checkpoint', dir: checkpoint },
    threads === undefined ? {} : { intraOpThreads: threads },
  );
  try {
    const frames = new ClipFrameLoader(engine.config, {
      dataDir: requiredFlag(raw, 'data'),
      prefer: stringFlag(raw, 'frames') === 'video' ? 'video' : 'scene',
    });
    const started = performance.now();
    const completionsFile = stringFlag(raw, 'completions');
    const completions: string[] = [];
    const sampling = evaluationSamplingFlags(raw, '');
    const result = await evaluateAccuracy(engine, samples, frames, {
      maxNewTokens: numberFlag(raw, 'max-new-tokens') ?? 320,
      ...(sampling === undefined ? {} : { sampling }),
      ...(raw.values['plain'] === true ? { prompt: plainPrompt } : {}),
      onProgress: (done, total) =>
        progress.write(`eval ${done}/${total}, ${((performance.now() - started) / 1000).toFixed(1)}s\n`),
      ...(completionsFile === undefined ? {} : { onCompletion: (record) => completions.push(JSON.stringify(record)) }),
    });
    io.out.write(`${checkpoint}\n${formatAccuracy(result)}\n`);
    const json = stringFlag(raw, 'json');
    if (json !== undefined) await writeFile(json, `${JSON.stringify({ checkpoint, ...result }, null, 2)}\n`);
    if (completionsFile !== undefined)
      await writeFile(completionsFile, completions.map((line) => `${line}\n`).join(''));
    return 0;
  } finally {
    await engine.close();
  }
}
