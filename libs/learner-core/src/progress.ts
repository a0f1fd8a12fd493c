/** Progress lines of long stages: done/total, rate and ETA, plus the stage's own figures. */

/** Where progress and log lines go. */
export interface LineSink {
  write(text: string): unknown;
}

/** Formats seconds as `1h02m`, `3m20s` or `12.3s`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(Math.round(seconds % 60)).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}

/** Rate and ETA of a run of `total` units that started at `startedAt` (ms of `clock`). */
export class ProgressMeter {
  private readonly startedAt: number;
  private readonly startDone: number;

  constructor(
    private readonly label: string,
    private readonly total: number,
    startDone: number,
    private readonly clock: () => number = () => performance.now(),
  ) {
    this.startedAt = clock();
    this.startDone = startDone;
  }

  /** One line: `label 12/300 (4%) k=v … 0.8 steps/s, ETA 6m00s`. */
  line(done: number, fields: Readonly<Record<string, string | number>>): string {
    const elapsed = (this.clock() - this.startedAt) / 1000;
    const rate = elapsed > 0 ? (done - this.startDone) / elapsed : 0;
    const eta = rate > 0 ? (this.total - done) / rate : Number.NaN;
    const parts = Object.entries(fields).map(([k, v]) => `${k} ${typeof v === 'number' ? formatNumber(v) : v}`);
    const percent = this.total > 0 ? Math.floor((100 * done) / this.total) : 100;
    return `${this.label} ${done}/${this.total} (${percent}%) ${parts.join(', ')}; ${rate.toFixed(2)} steps/s, elapsed ${formatDuration(elapsed)}, ETA ${formatDuration(eta)}`;
  }
}

function formatNumber(value: number): string {
  if (Number.isInteger(value)) return String(value);
  return Math.abs(value) >= 100 ? value.toFixed(0) : value.toPrecision(4);
}
