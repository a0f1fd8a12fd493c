/**
 * Training curves of run directories (`vrft train pretrain|sft|grpo` write RUN/metrics.jsonl: one
 * line per update, and `{step, eval: {...}}` lines for held-out evaluations), turned into the chart
 * panels of `vrft train plot`. A panel appears when some run has its metric.
 */
import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { type ChartPanel } from './svg-chart.js';

/** A run directory whose metrics cannot be read. */
export class RunMetricsError extends Error {
  override readonly name = 'RunMetricsError';
}

/** One run's scalars by name, as (step, value) sorted by step. */
export interface RunCurves {
  readonly label: string;
  /** Per-update scalars (loss, reward/total_mean, policy/kl, …). */
  readonly updates: ReadonlyMap<string, readonly (readonly [number, number])[]>;
  /** Held-out evaluation fields (accuracy, val loss, vision gap, caption loss, format). */
  readonly evaluations: ReadonlyMap<string, readonly (readonly [number, number])[]>;
}

/** The metrics a figure can show: where each comes from, and whether to smooth it. */
const PANELS: readonly { title: string; source: 'updates' | 'evaluations'; metric: string; smooth: boolean }[] = [
  { title: 'training loss', source: 'updates', metric: 'loss', smooth: true },
  { title: 'held-out accuracy', source: 'evaluations', metric: 'accuracy', smooth: false },
  { title: 'held-out format rate', source: 'evaluations', metric: 'format', smooth: false },
  { title: 'held-out loss', source: 'evaluations', metric: 'val loss', smooth: false },
  { title: 'held-out caption loss', source: 'evaluations', metric: 'caption loss', smooth: false },
  {
    title: 'vision gap (loss with other clips’ frames − own)',
    source: 'evaluations',
    metric: 'vision gap',
    smooth: false,
  },
  { title: 'rollout reward R (GRPO)', source: 'updates', metric: 'reward/total_mean', smooth: true },
  { title: 'rollout accuracy reward R_a', source: 'updates', metric: 'reward/accuracy_mean', smooth: true },
  { title: 'rollout format reward R_f', source: 'updates', metric: 'reward/format_mean', smooth: true },
  { title: 'k3 KL to the reference', source: 'updates', metric: 'policy/kl', smooth: true },
  { title: 'policy entropy (nats/token)', source: 'updates', metric: 'policy/entropy', smooth: true },
];

/** The label of a run directory: its name, or parent/name for `best`, `final` and the like. */
export function runLabel(dir: string): string {
  const name = basename(dir.replace(/\/+$/, ''));
  return ['best', 'final'].includes(name) ? `${basename(dirname(dir))}/${name}` : name;
}

function addPoint(map: Map<string, Map<number, number>>, name: string, step: number, value: unknown): void {
  if (typeof value !== 'number') return;
  let byStep = map.get(name);
  if (byStep === undefined) map.set(name, (byStep = new Map()));
  byStep.set(step, value); // a resumed run logs steps again after its checkpoint: the later line wins
}

function sorted(map: Map<string, Map<number, number>>): Map<string, (readonly [number, number])[]> {
  return new Map(
    [...map].map(([name, byStep]) => [name, [...byStep].sort((a, b) => a[0] - b[0]) as [number, number][]]),
  );
}

/** Parses RUN/metrics.jsonl; a missing file or a malformed line is a RunMetricsError naming it. */
export async function readRunCurves(runDir: string, label = runLabel(runDir)): Promise<RunCurves> {
  const path = join(runDir, 'metrics.jsonl');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new RunMetricsError(`${path}: cannot read (${(cause as Error).message}); is ${runDir} a training run?`, {
      cause,
    });
  }
  const updates = new Map<string, Map<number, number>>();
  const evaluations = new Map<string, Map<number, number>>();
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch (cause) {
      // The last line of a run killed mid-write can be cut short; anything else is corruption.
      if (i === lines.length - 1) return;
      throw new RunMetricsError(`${path}:${i + 1}: not JSON`, { cause });
    }
    if (typeof record !== 'object' || record === null || typeof (record as { step?: unknown }).step !== 'number')
      throw new RunMetricsError(`${path}:${i + 1}: expected an object with a numeric "step"`);
    const { step, eval: evaluation, ...rest } = record as { step: number; eval?: unknown } & Record<string, unknown>;
    if (typeof evaluation === 'object' && evaluation !== null)
      for (const [name, value] of Object.entries(evaluation)) addPoint(evaluations, name, step, value);
    else for (const [name, value] of Object.entries(rest)) addPoint(updates, name, step, value);
  });
  return { label, updates: sorted(updates), evaluations: sorted(evaluations) };
}

/** Trailing mean over `window` points (window 1: unchanged). */
export function trailingMean(points: readonly (readonly [number, number])[], window: number): [number, number][] {
  if (!Number.isInteger(window) || window < 1)
    throw new RangeError(`smoothing window must be an integer ≥ 1, got ${window}`);
  let sum = 0;
  let count = 0;
  const out: [number, number][] = [];
  points.forEach(([x, y], i) => {
    sum += y;
    count += 1;
    if (count > window) {
      sum -= (points[i - window] as readonly [number, number])[1];
      count -= 1;
    }
    out.push([x, sum / count]);
  });
  return out;
}

/** The panels for `runs`: every known metric that some run has, per-update ones smoothed. */
export function curvePanels(runs: readonly RunCurves[], smoothWindow: number): ChartPanel[] {
  const panels: ChartPanel[] = [];
  for (const spec of PANELS) {
    const series = runs.flatMap((run) => {
      const points = run[spec.source].get(spec.metric);
      if (points === undefined || points.length === 0) return [];
      return [{ label: run.label, points: spec.smooth ? trailingMean(points, smoothWindow) : points }];
    });
    if (series.length === 0) continue;
    const title = spec.smooth && smoothWindow > 1 ? `${spec.title}, mean of ${smoothWindow} updates` : spec.title;
    panels.push({ title, xLabel: 'update', series });
  }
  return panels;
}
