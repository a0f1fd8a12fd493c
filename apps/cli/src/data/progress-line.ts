/** Progress lines of `vrft data generate`: done/total, rate, elapsed time and ETA, at most one per interval. */
import { type GenerateProgress } from '@vrft/data';

/** "1h02m", "3m05s", "12s". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  if (h > 0) return `${h}h${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m${String(rest).padStart(2, '0')}s`;
  return `${rest}s`;
}

/** One progress line, e.g. `clips 120/1000 (12 resumed)  45.2 clips/min  elapsed 2m40s  ETA 19m30s`. */
export function formatProgress(p: GenerateProgress): string {
  const resumed = p.resumed > 0 ? ` (${p.resumed} resumed)` : '';
  const eta = p.etaSec === undefined ? 'ETA –' : `ETA ${formatDuration(p.etaSec)}`;
  return `clips ${p.done}/${p.total}${resumed}  ${p.clipsPerMinute.toFixed(1)} clips/min  elapsed ${formatDuration(p.elapsedSec)}  ${eta}`;
}

/**
 * A progress callback that writes a line when `intervalSec` has passed since the last one, and
 * always for the last clip, so long runs report steadily without flooding short ones.
 */
export function createProgressPrinter(
  out: { write(text: string): unknown },
  intervalSec: number,
): (progress: GenerateProgress) => void {
  let lastPrinted = Number.NEGATIVE_INFINITY;
  return (progress) => {
    const finished = progress.done === progress.total;
    if (!finished && progress.elapsedSec - lastPrinted < intervalSec) return;
    lastPrinted = progress.elapsedSec;
    out.write(`${formatProgress(progress)}\n`);
  };
}
