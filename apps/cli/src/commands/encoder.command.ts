/**
 * `vrft train encoder`: trains the dual encoder for R_s, writes the encoder directory, and prints
 * held-out retrieval accuracy measured twice: with the tfjs weights and with the exported ONNX
 * graphs on onnxruntime (what the reward-model will run). main.ts calls {@link runEncoderCommand}
 * with the arguments after `train encoder`; progress lines (rate, ETA) go to `err`.
 */
import {
  EncoderOptionsError,
  OnnxDualEncoder,
  type RetrievalAccuracy,
  measureRetrieval,
  saveEncoderCheckpoint,
  trainDualEncoder,
} from '@vrft/dual-encoder';
import { ENCODER_USAGE, EncoderUsageError, parseEncoderArgs } from '../encoder/encoder-args.js';
import { formatDuration } from '../data/progress-line.js';
import { formatTable } from '../table.js';

const EX_USAGE = 64;

/** Where the command writes. */
export interface EncoderCommandIo {
  out: { write(text: string): unknown };
  err: { write(text: string): unknown };
  /** Seconds between progress lines. Default 10. */
  progressSeconds?: number;
}

/** Runs `vrft train encoder …`; returns the exit code (0 ok, 64 bad usage). */
export async function runEncoderCommand(args: readonly string[], io: EncoderCommandIo): Promise<number> {
  if (args[0] === '--help' || args[0] === 'help') {
    io.out.write(ENCODER_USAGE);
    return 0;
  }
  let parsed;
  try {
    parsed = parseEncoderArgs(args);
  } catch (error) {
    if (error instanceof EncoderUsageError) {
      io.err.write(`vrft train encoder: ${error.message}\n${ENCODER_USAGE}`);
      return EX_USAGE;
    }
    throw error;
  }
  const interval = io.progressSeconds ?? 10;
  let lastPrinted = Number.NEGATIVE_INFINITY;
  let trained;
  try {
    trained = await trainDualEncoder(parsed.options, {
      onProgress: (p) => {
        if (p.step !== p.steps && p.elapsedSec - lastPrinted < interval && !p.retrieval) return;
        lastPrinted = p.elapsedSec;
        const held = p.retrieval ? `  held-out text→frame top-1 ${percent(p.retrieval.textToFrame.top1)}` : '';
        io.err.write(
          `step ${p.step}/${p.steps}  loss ${p.loss.toFixed(4)}  ${p.stepsPerSecond.toFixed(2)} steps/s  ` +
            `elapsed ${formatDuration(p.elapsedSec)}  ETA ${formatDuration(p.etaSec)}${held}\n`,
        );
      },
    });
  } catch (error) {
    if (error instanceof EncoderOptionsError) {
      io.err.write(`vrft train encoder: ${error.message}\n`);
      return EX_USAGE;
    }
    throw error;
  }
  const metadata = {
    options: parsed.options,
    backend: trained.backend,
    trainPairs: trained.trainPairs,
    retrievalTfjs: trained.retrieval,
    retrievalInitial: trained.initialRetrieval,
    finalLoss: trained.losses[trained.losses.length - 1],
  };
  await saveEncoderCheckpoint(parsed.outDir, { ...trained, metadata });
  const ort = await measureWithOnnxruntime(parsed.outDir, trained.evalPairs);
  io.out.write(
    `trained in ${formatDuration(trained.elapsedSec)} on ${trained.backend} (${trained.trainPairs} training pairs), ` +
      `wrote ${parsed.outDir}\n\n${formatRetrieval([
        ['untrained (chance)', trained.initialRetrieval],
        ['trained, tfjs', trained.retrieval],
        ['trained, onnxruntime', ort],
      ])}\n`,
  );
  return 0;
}

async function measureWithOnnxruntime(
  dir: string,
  pairs: { frames: Uint8Array; imageSize: number; texts: string[] },
): Promise<RetrievalAccuracy> {
  const encoder = await OnnxDualEncoder.open({ dir });
  try {
    const n = pairs.texts.length;
    const s = pairs.imageSize;
    const images = await encoder.encodeFrames({ data: pairs.frames, shape: [n, s, s, 3] });
    return measureRetrieval(images, await encoder.encodeTexts(pairs.texts));
  } finally {
    await encoder.close();
  }
}

/** The retrieval table: top-1 / top-5 / mean rank both ways, one row per model. */
export function formatRetrieval(rows: readonly (readonly [string, RetrievalAccuracy])[]): string {
  const pairs = rows[0]?.[1].pairs ?? 0;
  return formatTable(
    [`held-out pairs: ${pairs}`, 'text→frame top-1', 'top-5', 'mean rank', 'frame→text top-1', 'top-5', 'mean rank'],
    rows.map(([name, r]) => [
      name,
      percent(r.textToFrame.top1),
      percent(r.textToFrame.top5),
      r.textToFrame.meanRank.toFixed(1),
      percent(r.frameToText.top1),
      percent(r.frameToText.top5),
      r.frameToText.meanRank.toFixed(1),
    ]),
  );
}

function percent(value: number): string {
  return `${(100 * value).toFixed(1)}%`;
}
