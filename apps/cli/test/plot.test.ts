/**
 * `vrft train plot`: reading metrics.jsonl (resumed runs, evaluation lines, a cut last line), the
 * panels chosen, and the SVG (ticks, coordinates inside the axes, escaping, the legend).
 */
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTrainCommand } from '../src/commands/train.command.js';
import { curvePanels, readRunCurves, runLabel, RunMetricsError, trailingMean } from '../src/report/run-curves.js';
import { formatTick, niceTicks, renderLineCharts } from '../src/report/svg-chart.js';
import { captureIo as capture } from './capture-io.js';

let root = '';

async function writeRun(name: string, lines: readonly string[]): Promise<string> {
  const dir = join(root, name);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'metrics.jsonl'), lines.join('\n'));
  return dir;
}

/** Every number attribute of the SVG's polylines and circles, as [x, y] pairs. */
function plottedPoints(svg: string): [number, number][] {
  const points: [number, number][] = [];
  for (const m of svg.matchAll(/points="([^"]+)"/g))
    for (const pair of (m[1] as string).split(' ')) points.push(pair.split(',').map(Number) as [number, number]);
  for (const m of svg.matchAll(/cx="([\d.]+)" cy="([\d.]+)"/g)) points.push([Number(m[1]), Number(m[2])]);
  return points;
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'vrft-plot-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('chart primitives', () => {
  it('puts ticks on 1-2-5 steps that cover the range', () => {
    expect(niceTicks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(3, 587)).toEqual([0, 200, 400, 600]);
    expect(niceTicks(0.21, 0.34)).toEqual([0.2, 0.25, 0.3, 0.35]);
    expect(niceTicks(5, 5)).toEqual([4.4, 4.6, 4.8, 5, 5.2, 5.4, 5.6]); // one value: its ±10 % covered
    expect(() => niceTicks(0, Number.NaN)).toThrow(RangeError);
    expect(formatTick(0.30000000000000004)).toBe('0.3');
    expect(formatTick(2e-5)).toBe('2e-5');
    expect(formatTick(1200)).toBe('1200');
  });

  it('averages the trailing window', () => {
    const points: [number, number][] = [
      [1, 4],
      [2, 2],
      [3, 0],
      [4, 6],
    ];
    expect(trailingMean(points, 2)).toEqual([
      [1, 4],
      [2, 3],
      [3, 1],
      [4, 3],
    ]);
    expect(trailingMean(points, 1)).toEqual(points);
    expect(() => trailingMean(points, 0)).toThrow(RangeError);
  });

  it('draws every finite point inside its axes, one polyline per series, and escapes labels', () => {
    const svg = renderLineCharts(
      [
        {
          title: 'loss <per token>',
          xLabel: 'update',
          series: [
            {
              label: 'a & b',
              points: [
                [0, 1],
                [10, 0.5],
                [20, Number.NaN],
              ],
            },
            { label: 'c', points: [[5, 0.8]] },
          ],
        },
        { title: 'empty', xLabel: 'update', series: [] },
      ],
      { columns: 2, panelWidth: 400, panelHeight: 300, title: 'run "x"' },
    );
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).toContain('loss &lt;per token&gt;');
    expect(svg).toContain('run &quot;x&quot;');
    expect(svg).toContain('>a &amp; b</text>'); // the legend
    expect(svg).not.toMatch(/NaN/);
    expect(svg.match(/<polyline/g)).toHaveLength(2);
    expect(svg).toContain('no data');
    // The first panel's plot area: x ∈ [58, 400 − 14], y ∈ [28 + 30, 28 + 300 − 40].
    const points = plottedPoints(svg);
    expect(points).toHaveLength(2 + 1 + 3); // two line vertices + one, and their markers
    for (const [x, y] of points) {
      expect(x).toBeGreaterThanOrEqual(58);
      expect(x).toBeLessThanOrEqual(386);
      expect(y).toBeGreaterThanOrEqual(58);
      expect(y).toBeLessThanOrEqual(288);
    }
    // Both series share the panel's axes (x ticks 0…10): x = 0 on the left edge, 10 on the right, 5 halfway.
    expect(points[0]?.[0]).toBeCloseTo(58, 0);
    expect(points[1]?.[0]).toBeCloseTo(386, 0);
    expect(points[2]?.[0]).toBeCloseTo(58 + 328 / 2, 0);
  });

  it('draws a long run (more points than a spread call takes)', () => {
    const points = Array.from({ length: 300_000 }, (_, i) => [i + 1, 1 / (i + 1)] as const);
    const svg = renderLineCharts([{ title: 'long', xLabel: 'update', series: [{ label: 'run', points }] }]);
    expect(svg.match(/<polyline/g)).toHaveLength(1);
    expect(svg).toContain('>300000</text>'); // the last x tick covers the last update
  });
});

describe('run curves', () => {
  it('reads updates and evaluations; a resumed step keeps its later line; a cut last line is ignored', async () => {
    const dir = await writeRun('sft', [
      '{"step":1,"loss":3,"lr":0.001,"epoch":0}',
      '{"step":2,"loss":2.5,"lr":0.001,"epoch":0}',
      '{"step":2,"eval":{"val loss":2.4,"accuracy":0.1,"vision gap":0.01},"score":0.1}',
      '{"step":2,"loss":2.0,"lr":0.001,"epoch":0}',
      '{"step":3,"loss":1.5,"lr"',
    ]);
    const curves = await readRunCurves(dir);
    expect(curves.label).toBe('sft');
    expect(curves.updates.get('loss')).toEqual([
      [1, 3],
      [2, 2],
    ]);
    expect(curves.evaluations.get('accuracy')).toEqual([[2, 0.1]]);
    const panels = curvePanels([curves], 1);
    expect(panels.map((p) => p.title)).toEqual([
      'training loss',
      'held-out accuracy',
      'held-out loss',
      'vision gap (loss with other clips’ frames − own)',
    ]);
    expect(curvePanels([curves], 2)[0]?.title).toBe('training loss, mean of 2 updates');
  });

  it('names a corrupt line and a missing file', async () => {
    const bad = await writeRun('bad', ['{"step":1,"loss":3}', 'oops', '{"step":2,"loss":2}']);
    await expect(readRunCurves(bad)).rejects.toThrow(/metrics\.jsonl:2: not JSON/);
    const noStep = await writeRun('nostep', ['{"loss":3}', '']);
    await expect(readRunCurves(noStep)).rejects.toThrow(/metrics\.jsonl:1: expected an object with a numeric "step"/);
    await expect(readRunCurves(join(root, 'absent'))).rejects.toBeInstanceOf(RunMetricsError);
    expect(runLabel('/x/sftA/best')).toBe('sftA/best');
    expect(runLabel('/x/sftA/')).toBe('sftA');
  });
});

describe('vrft train plot', () => {
  it('writes one SVG for several runs, with their labels', async () => {
    const sft = await writeRun('cli-sft', [
      '{"step":1,"loss":3}',
      '{"step":2,"loss":2}',
      '{"step":2,"eval":{"accuracy":0.2,"format":0.5}}',
    ]);
    const grpo = await writeRun('cli-grpo', [
      '{"step":0,"eval":{"accuracy":0.2,"format":0.5}}',
      '{"step":1,"reward/total_mean":1.1,"reward/accuracy_mean":0.2,"policy/kl":0.001}',
      '{"step":2,"reward/total_mean":1.3,"reward/accuracy_mean":0.3,"policy/kl":0.002}',
      '{"step":2,"eval":{"accuracy":0.25,"format":0.6}}',
    ]);
    const out = join(root, 'curves.svg');
    const run = capture();
    const code = await runTrainCommand(['plot', '--out', out, '--label', 'SFT', sft, grpo, '--smooth', '1'], run.io);
    expect(code, run.err()).toBe(0);
    expect(run.out()).toContain(`plot: 6 panels of 2 runs → ${out}`);
    const svg = await readFile(out, 'utf8');
    expect(svg).toContain('>SFT</text>');
    expect(svg).toContain('>cli-grpo</text>');
    // held-out accuracy holds both runs
    expect(svg.match(/data-series="SFT"/g)).toHaveLength(3); // loss, accuracy, format
    expect(svg.match(/data-series="cli-grpo"/g)).toHaveLength(5); // accuracy, format, R, R_a, KL
  });

  it('answers bad usage with 64 and an unreadable run with 1', async () => {
    const noOut = capture();
    expect(await runTrainCommand(['plot', join(root, 'cli-sft')], noOut.io)).toBe(64);
    expect(noOut.err()).toContain('--out is required');
    const noRuns = capture();
    expect(await runTrainCommand(['plot', '--out', join(root, 'x.svg')], noRuns.io)).toBe(64);
    const badSmooth = capture();
    expect(
      await runTrainCommand(
        ['plot', '--out', join(root, 'x.svg'), '--smooth', '0', join(root, 'cli-sft')],
        badSmooth.io,
      ),
    ).toBe(64);
    expect(badSmooth.err()).toContain('--smooth: expected an integer ≥ 1');
    const missing = capture();
    expect(await runTrainCommand(['plot', '--out', join(root, 'x.svg'), join(root, 'absent')], missing.io)).toBe(1);
    expect(missing.err()).toMatch(/absent\/metrics\.jsonl: cannot read/);
  });
});
